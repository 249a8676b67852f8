"""The shared model-file container: clear errors for every way a model file can be wrong."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fankui.errors import InputError, ModelError
from fankui.model_file import library_versions, read_model_file, write_model_file
from fankui.sentiment import load_default, load_model, save_model
from fankui.themes import ThemeClassifier, load_theme_model, save_theme_model

KW = dict(fmt="demo", version=1, arrays=("x",), what="demo model", hint="Train one.")


def test_round_trip_keeps_meta_order_and_arrays(tmp_path):
    meta = {"format": "demo", "version": 1, "b": [1, 2], "a": "中文"}
    path = write_model_file(tmp_path / "m.npz", meta, {"x": np.arange(3, dtype=np.float32)}, what="demo model")
    got, arrays = read_model_file(path, **KW)
    assert list(got) == [*meta, "built_with"] and {k: got[k] for k in meta} == meta
    np.testing.assert_array_equal(arrays["x"], np.arange(3, dtype=np.float32))


def test_errors_say_what_is_wrong(tmp_path):
    with pytest.raises(InputError, match="demo model file not found"):
        read_model_file(tmp_path / "nope.npz", **KW)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="is not a fankui demo model"):
        read_model_file(tmp_path / "junk.npz", **KW)
    newer = write_model_file(tmp_path / "new.npz", {"format": "demo", "version": 9}, {"x": np.zeros(1)}, what="demo model")
    with pytest.raises(ModelError, match="newer fankui") as err:
        read_model_file(newer, **KW)
    assert "Upgrade fankui" in err.value.hint
    with pytest.raises(InputError, match="does not exist"):
        write_model_file(tmp_path / "no" / "m.npz", {}, {}, what="demo model")


def test_a_model_of_the_other_kind_gets_the_right_hint(tmp_path):
    sentiment = save_model(load_default(), tmp_path / "s.npz")
    with pytest.raises(ModelError) as err:
        load_theme_model(sentiment)
    assert "--model, not --themes-model" in err.value.hint
    themes = save_theme_model(ThemeClassifier(C=1.0).fit(["快递太慢", "质量太差", "物流很慢", "做工很差"],
                                                      ["物流配送", "产品质量", "物流配送", "产品质量"]),
                              tmp_path / "t.npz")
    with pytest.raises(ModelError) as err:
        load_model(themes)
    assert "--themes-model, not --model" in err.value.hint
    meta = json.loads(bytes(np.load(themes)["meta"]).decode("utf-8"))
    assert meta["format"] == "fankui-themes" and list(meta)[:2] == ["format", "version"]


def test_model_files_record_library_versions(tmp_path):
    from fankui.resources import data_path

    path = write_model_file(tmp_path / "m.npz", {"format": "x", "version": 1}, {"a": np.arange(3)}, what="model")
    meta, arrays = read_model_file(path, fmt="x", version=1, arrays=("a",), what="model", hint="")
    assert meta["built_with"] == library_versions()
    assert set(meta["built_with"]) == {"numpy", "scipy", "scikit-learn"}
    assert meta["built_with"]["numpy"] == np.__version__
    for shipped in ("sentiment", "themes"):
        with np.load(data_path(f"{shipped}/default.npz"), allow_pickle=False) as data:
            assert set(json.loads(bytes(data["meta"]).decode("utf-8"))["built_with"]) == set(meta["built_with"])
