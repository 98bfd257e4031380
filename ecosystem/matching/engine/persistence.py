"""Saving and loading a MatchIndex: one .npz file, no pickle.

Contents: a JSON header (magic, format version, hash of the engine weights, sizes and a CRC32
of every array), the forward matrix of the live documents (CSR arrays), the feature names and the
documents (UTF-8 JSON). Loading rebuilds the inverted index and the norms, so a loaded index is
exactly a fresh build of the same documents. A file that is not ours, of another format version,
saved under other weights, or damaged raises IndexFormatError; it is never used silently.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.engine.datatypes import Document, IndexFormatError
from ecosystem.matching.engine.weights import Weights

MAGIC = "hue-ecosystem-matching-index"
FORMAT_VERSION = 2
_ARRAYS = ("indptr", "indices", "data", "features", "kinds", "codes", "documents")


def _crc(arr: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(arr).view(np.uint8).ravel()) & 0xFFFFFFFF


def save_index(index, path) -> None:
    """Write atomically (temporary file, then rename): a crash never leaves half a file."""
    index.compact()
    fwd = index.fwd
    voc = index.vocabulary
    nv = len(voc)
    arrays = {
        "indptr": fwd.indptr.astype(np.int64),
        "indices": fwd.indices.astype(np.int32),
        "data": fwd.data.astype(np.float32),
        "kinds": voc.kind[:nv].astype(np.int8),
        "codes": voc.code[:nv].astype(np.int64),
        # unigram names; a bigram's line is empty (its code names its two halves)
        "features": np.frombuffer("\n".join(n or "" for n in voc.names).encode("utf-8"), np.uint8),
        "documents": np.frombuffer(
            json.dumps([d.to_json() for d in index.slot_docs], ensure_ascii=False).encode("utf-8"),
            np.uint8,
        ),
    }
    header = {
        "magic": MAGIC,
        "format_version": FORMAT_VERSION,
        "config_hash": index.weights.config_hash(),
        "n_documents": index.n_main,
        "n_features": nv,
        "crc32": {name: _crc(arr) for name, arr in arrays.items()},
    }
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), np.uint8)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            if "header" not in npz.files:
                raise IndexFormatError(f"{path}: not a matching index (no header)")
            raw = bytes(npz["header"])
            header = json.loads(raw.decode("utf-8"))
            arrays = {name: npz[name] for name in _ARRAYS if name in npz.files}
    except IndexFormatError:
        raise
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise IndexFormatError(f"{path}: unreadable or damaged index file ({exc})") from exc
    return header, arrays


def load_index(cls, path, weights: Weights):
    header, arrays = _read(path)
    if not isinstance(header, dict) or header.get("magic") != MAGIC:
        raise IndexFormatError(f"{path}: not a matching index")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"{path}: index format version {version}, this engine reads {FORMAT_VERSION}; "
            "rebuild the index"
        )
    if header.get("config_hash") != weights.config_hash():
        raise IndexFormatError(f"{path}: index saved with other engine weights; rebuild it")
    crcs = header.get("crc32", {})
    for name in _ARRAYS:
        if name not in arrays or crcs.get(name) != _crc(arrays[name]):
            raise IndexFormatError(f"{path}: damaged index file (checksum of {name})")
    try:
        features = bytes(arrays["features"]).decode("utf-8")
        names = features.split("\n") if header.get("n_features") else []
        docs = [Document.from_json(d) for d in json.loads(bytes(arrays["documents"]))]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(f"{path}: damaged index file ({exc})") from exc
    indptr, indices, data = arrays["indptr"], arrays["indices"], arrays["data"]
    n = len(docs)
    if (
        len(indptr) != n + 1
        or n != header.get("n_documents")
        or len(names) != header.get("n_features")
        or len(indices) != len(data)
        or (n and indptr[-1] != len(indices))
        or (len(indices) and (indices.min() < 0 or indices.max() >= len(names)))
    ):
        raise IndexFormatError(f"{path}: inconsistent index file")
    kinds, codes = arrays["kinds"], arrays["codes"]
    if (
        len(kinds) != len(names)
        or len(codes) != len(names)
        or (len(kinds) and (kinds.min() < 0 or kinds.max() > 2))
    ):
        raise IndexFormatError(f"{path}: inconsistent index file")
    big = kinds == 2
    halves = np.concatenate([codes[big] >> 32, codes[big] & 0xFFFFFFFF])
    if len(halves) and (halves.min() < 0 or halves.max() >= len(names) or big[halves].any()):
        raise IndexFormatError(f"{path}: inconsistent index file (bigram codes)")
    index = cls(weights)
    try:
        index.vocabulary.replace(names, kinds, codes)
    except (KeyError, ValueError) as exc:
        raise IndexFormatError(f"{path}: inconsistent index file ({exc})") from exc
    fwd = sp.csr_matrix(
        (
            data.astype(np.float32, copy=False),
            indices.astype(np.int32, copy=False),
            indptr.astype(np.int64, copy=False),
        ),
        shape=(n, len(names)),
    )
    index._set_main(docs, fwd)
    return index
