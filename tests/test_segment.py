import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fankui.segment import add_user_dict, content_words, load_stopwords, tokenize, tokenize_many
from fankui.errors import InputError

# Golden table: real output of the shipped dictionary on customer-service phrases. A change here is a change
# in behaviour users will see in keywords and themes; update deliberately.
GOLDEN = [
    ("快递员态度差，申请退款", ["快递员", "态度差", "，", "申请", "退款"]),
    ("请问七天无理由退货怎么申请？", ["请问", "七天无理由退货", "怎么", "申请", "？"]),
    ("APP一直闪退，登录不了", ["APP", "一直", "闪退", "，", "登录不了"]),
    ("物流很快但是质量太差", ["物流", "很快", "但是", "质量", "太差"]),
    ("钱已经扣了但是没到账", ["钱", "已经", "扣", "了", "但是", "没", "到账"]),
    ("优惠券用不了，客服也不回", ["优惠券", "用", "不了", "，", "客服", "也", "不", "回"]),
    ("外包装破损，耳机少发一个", ["外包装", "破损", "，", "耳机", "少发", "一个"]),
    ("我今天不高兴", ["我", "今天", "不", "高兴"]),
]


@pytest.mark.parametrize("text, tokens", GOLDEN)
def test_golden_segmentation(text, tokens):
    assert tokenize(text) == tokens


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("快递员态度差退款请问七天无理由闪退 \t,，。!？abcAPP123😀😡㈠﹏") + ["\n"]), max_size=40))
def test_segmentation_is_lossless_on_domain_alphabet(text):
    assert "".join(tokenize(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_segmentation_is_lossless_on_any_text(text):
    assert "".join(tokenize(text)) == text


def test_tokenize_many_matches_tokenize():
    texts = ["物流很快", "", "退款还没到账"]
    assert tokenize_many(texts) == [tokenize(t) for t in texts]


def test_content_words_drop_stopwords_and_punctuation():
    assert content_words(tokenize("请问我的快递到哪了？😡")) == ["快递"]


def test_stopwords_are_loaded():
    stop = load_stopwords()
    assert "的" in stop and "退款" not in stop


def test_user_dictionary_adds_words(tmp_path):
    before = tokenize("小米手环九代续航太短")
    path = tmp_path / "products.txt"
    path.write_text("小米手环九代 100 n\n", encoding="utf-8")
    add_user_dict(path)
    after = tokenize("小米手环九代续航太短")
    assert "小米手环九代" in after and "小米手环九代" not in before


def test_user_dictionary_missing_file():
    with pytest.raises(InputError, match="user dictionary not found"):
        add_user_dict("/nonexistent/dict.txt")


def _backends():
    import importlib.util

    return [b for b in ("jieba", "jieba_next") if importlib.util.find_spec(b) is not None]


@pytest.mark.parametrize("backend", _backends())
def test_golden_table_holds_for_each_installed_backend(backend):
    """jieba-next is a drop-in accelerator: on the domain phrases it must agree with plain jieba."""
    import importlib

    from fankui.resources import lexicon_path

    tok = importlib.import_module(backend).Tokenizer()
    tok.load_userdict(str(lexicon_path("userdict.txt")))
    for text, tokens in GOLDEN:
        assert tok.lcut(text, HMM=True) == tokens, (backend, text)
