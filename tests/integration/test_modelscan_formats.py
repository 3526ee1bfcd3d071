"""modelscan-c on every non-pickle format, end to end through the built binary.

Fixtures come from tests/fixtures/formats/make_fixtures.py: benign files
written by the real frameworks (keras on jax, h5py, onnx, safetensors, gguf),
hand-encoded TensorFlow/TFLite files (tensorflow is not installed), crafted
attacks and corrupt files.  Nothing is ever loaded.
"""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tool

FX = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats")
    r = subprocess.run([sys.executable, str(FX / "make_fixtures.py"), str(out)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def checker():
    spec = importlib.util.spec_from_file_location("check_manifest", FX / "check_manifest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def scan(bins, path, *extra):
    r = subprocess.run([str(tool(bins, "modelscan-c")), "-p", str(path), "--format", "json", "--no-progress", *extra],
                       capture_output=True, text=True, timeout=300)
    return r.returncode, json.loads(r.stdout), r.stderr


@pytest.mark.parametrize("category", ["benign", "malicious", "corrupt"])
def test_manifest(bins, fixtures, checker, category):
    items = [i for i in json.loads((fixtures / "manifest.json").read_text()) if i["path"].startswith(category)]
    assert items
    failures = []
    for item in items:
        problems, ids, r = checker.check(str(tool(bins, "modelscan-c")), fixtures, item)
        if problems:
            failures.append(f"{item['path']}: {problems} (ids {ids}; stderr {r.stderr.strip()[:300]})")
    assert not failures, "\n".join(failures)


def test_formats_named_in_report(bins, fixtures):
    want = {"keras_sequential.keras": "keras", "keras_legacy.h5": "hdf5", "model.onnx": "onnx",
            "model.safetensors": "safetensors", "model.gguf": "gguf", "frozen_graph.pb": "tensorflow-savedmodel",
            "model.tflite": "tflite", "bundle.zip": "archive", "bundle.tar.gz": "compressed"}
    for name, fmt in want.items():
        rc, rep, _ = scan(bins, fixtures / "benign" / name)
        assert rc == 0, name
        assert rep["files"][0]["format"] == fmt, (name, rep["files"][0])


def test_saved_model_directory(bins, fixtures):
    rc, rep, _ = scan(bins, fixtures / "benign" / "saved_model")
    fmts = {Path(f["path"]).name: f["format"] for f in rep["files"]}
    assert rc == 0
    assert fmts["saved_model.pb"] == "tensorflow-savedmodel"
    assert fmts["keras_metadata.pb"] == "keras-metadata-pb"
    rc, rep, _ = scan(bins, fixtures / "malicious" / "saved_model_pyfunc")
    assert rc == 1
    locs = {f["id"]: f["location"] for f in rep["findings"]}
    assert "function '__inference_call_99'" in locs["MS-TF-001"]


def test_hf_folder_one_verdict(bins, fixtures):
    rc, rep, _ = scan(bins, fixtures / "benign" / "hf_model")
    assert rc == 0 and rep["verdict"] == "clean" and rep["status"] == "complete"
    assert {f["status"] for f in rep["files"]} == {"scanned"}
    assert len(rep["files"]) == 11
    rc, rep, _ = scan(bins, fixtures / "malicious" / "hf_model")
    assert rc == 1 and rep["verdict"] == "findings"
    by_file = {}
    for f in rep["findings"]:
        by_file.setdefault(Path(f["path"]).name, set()).add(f["id"])
    assert by_file["config.json"] == {"MS-HF-001"}
    assert "MS-TMPL-001" in by_file["tokenizer_config.json"]


def test_locations_are_precise(bins, fixtures):
    _, rep, _ = scan(bins, fixtures / "malicious" / "keras_nested_lambda.keras")
    f = next(f for f in rep["findings"] if f["id"] == "MS-KERAS-002")
    assert f["location"].startswith("config.json") and "layer 'lam'" in f["location"]
    _, rep, _ = scan(bins, fixtures / "malicious" / "onnx_nested.onnx")
    f = next(f for f in rep["findings"] if f["id"] == "MS-ONNX-002")
    assert "graph/node" in f["location"] and ".body/node" in f["location"] and "then_branch" in f["location"]
    _, rep, _ = scan(bins, fixtures / "malicious" / "zip_nested_pickle.zip")
    f = next(f for f in rep["findings"] if f["id"].startswith("MS-PICKLE"))
    assert "release/model.tar.gz > inner.zip > weights.bin" in f["location"]
    _, rep, _ = scan(bins, fixtures / "malicious" / "gguf_named_template.gguf")
    f = next(f for f in rep["findings"] if f["id"] == "MS-TMPL-001")
    assert "tokenizer.chat_template.tool_use" in f["location"]


def test_gguf_metadata_reported(bins, fixtures):
    rc, rep, _ = scan(bins, fixtures / "benign" / "model.gguf")
    assert rc == 0
    meta = next(f for f in rep["findings"] if f["id"] == "MS-GGUF-000")
    assert meta["severity"] == "info"
    assert meta["details"]["architecture"] == "llama"
    assert meta["details"]["tensors"] == "2"
    assert meta["details"]["file_type"] == "1"
