"""fankui (反馈): Chinese customer-feedback analytics.

Importing fankui has no side effects: jieba, OpenCC and models load lazily on first use.
"""

__version__ = "0.1.0"
