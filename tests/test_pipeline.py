import pandas as pd
import pytest

from fankui.errors import ProcessingError
from fankui.pipeline import Pipeline, analyze, analyze_file, default_stages


class Boom:
    name = "boom"
    requires = ("tokens",)
    assigns = ("x",)

    def __init__(self):
        self.calls = 0

    def __call__(self, df):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("disk full")
        return df.assign(x=1)


def test_failure_midway_leaves_no_output(tmp_path):
    src = tmp_path / "t.csv"
    pd.DataFrame({"内容": ["物流慢", "", "好评"] * 100}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    stages = default_stages(sentiment=False, themes=False) + [Boom()]
    with pytest.raises(RuntimeError):
        analyze_file(src, out, stages=stages, chunksize=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # neither output nor rejects nor temp files


def test_pipeline_checks_requirements():
    with pytest.raises(ProcessingError, match="needs column"):
        Pipeline([Boom()])(pd.DataFrame({"text": ["a"]}))


class DropsRows:
    name = "drops"
    requires = ()
    assigns = ()

    def __call__(self, df):
        return df.iloc[:0]


def test_stage_may_not_drop_rows():
    with pytest.raises(ProcessingError, match="changed the rows"):
        Pipeline([DropsRows()])(pd.DataFrame({"text": ["a"]}))


def test_analyze_dataframe_api(tickets_frame):
    out = analyze(tickets_frame, default_stages(sentiment=False, themes=False))
    assert len(out) + len(out.attrs["rejects"]) == len(tickets_frame)
    assert out["tokens"].iloc[0][:3] == ["快递", "太慢", "了"]
    assert tickets_frame["反馈内容"].iloc[1] == "請問什麼時候發貨？"  # input frame not modified


def test_import_has_no_side_effects():
    import subprocess
    import sys

    code = "import sys, fankui; print('jieba' in sys.modules, 'pandas' in sys.modules, 'opencc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False False" and out.stderr == ""


def test_parallel_output_equals_serial(tmp_path):
    src = tmp_path / "t.csv"
    texts = ["物流太慢了", "", "請問什麼時候發貨", "客服态度很好", "APP闪退"] * 60
    pd.DataFrame({"工单号": [f"T{i}" for i in range(len(texts))], "内容": texts}).to_csv(src, index=False)
    stages = default_stages(sentiment=False, themes=False)
    r1 = analyze_file(src, tmp_path / "serial.jsonl", stages=stages, chunksize=50, jobs=1)
    r2 = analyze_file(src, tmp_path / "parallel.jsonl", stages=stages, chunksize=50, jobs=2)
    assert (r1.read, r1.written, r1.rejected) == (r2.read, r2.written, r2.rejected) == (300, 240, 60)
    assert (tmp_path / "serial.jsonl").read_bytes() == (tmp_path / "parallel.jsonl").read_bytes()
    assert (tmp_path / "serial.rejects.csv").read_bytes() == (tmp_path / "parallel.rejects.csv").read_bytes()


def test_repeated_tickets_go_to_rejects_across_chunks(tmp_path):
    # Overlapping exports repeat tickets verbatim; the repeat is rejected with the row it repeats, even when the
    # two copies land in different chunks. Same id with another text (a conversation) and same text under
    # another id are kept.
    src = tmp_path / "t.csv"
    pd.DataFrame({"工单号": ["A1", "A2", "A3", "A1", "A2", "A4", "A1"],
                  "内容": ["物流太慢", "质量差", "物流太慢", "物流太慢", "质量差，还要补充一句", "好评", " 物流太慢 "]}).to_csv(src, index=False)
    stages = default_stages(sentiment=False, themes=False)
    r = analyze_file(src, tmp_path / "out.csv", stages=stages, chunksize=2, jobs=1)
    assert (r.read, r.written, r.rejected) == (7, 5, 2)
    rejects = pd.read_csv(tmp_path / "out.rejects.csv")
    assert rejects["row"].tolist() == [5, 8]
    assert rejects["reason"].tolist() == ["duplicate of row 2 (same ticket_id and text)"] * 2
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["ticket_id"].tolist() == ["A1", "A2", "A3", "A2", "A4"]


def test_without_an_id_column_identical_texts_are_all_kept(tmp_path):
    src = tmp_path / "t.csv"
    pd.DataFrame({"内容": ["好评", "好评", "好评"]}).to_csv(src, index=False)
    r = analyze_file(src, tmp_path / "out.csv", stages=default_stages(sentiment=False, themes=False))
    assert (r.read, r.written, r.rejected) == (3, 3, 0)


def test_collector_threshold_is_restored_after_a_chunk_even_on_failure():
    import gc

    from fankui.pipeline import GC_YOUNG_THRESHOLD

    seen = []

    class Spy:
        name, requires, assigns = "spy", (), ()

        def __call__(self, df):
            seen.append(gc.get_threshold()[0])
            return df

    class Fails(Spy):
        def __call__(self, df):
            raise ValueError("boom")

    before = gc.get_threshold()
    Pipeline([Spy()])(pd.DataFrame({"text": ["a"]}))
    assert seen == [max(before[0], GC_YOUNG_THRESHOLD)] and gc.get_threshold() == before
    with pytest.raises(ValueError):
        Pipeline([Spy(), Fails()])(pd.DataFrame({"text": ["a"]}))
    assert gc.get_threshold() == before
