"""/open-data/: the catalogue page, the DCAT-AP style JSON-LD catalogue and each dataset as
CSV and JSON. Anonymous, cacheable: a strong ETag of the body, 304 on If-None-Match. Each
dataset's documents are built at most once per DASHBOARD_CACHE_SECONDS (the page says so)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_babel import force_locale

from ecosystem.dashboard.blueprint import open_data_bp
from ecosystem.dashboard.figures import cache_seconds, open_data_cache
from ecosystem.dashboard.open_data import LICENCE, Dataset, datasets, modified
from ecosystem.registry.spreadsheets import csv_bytes

MAX_AGE = 300


@dataclass(frozen=True)
class Built:
    """A dataset's documents, built once per cache period (the records are not kept)."""

    json: bytes
    csv: bytes
    json_etag: str
    csv_etag: str
    count: int
    modified: str


def built(key: str, dataset: Dataset) -> Built:
    ttl = cache_seconds()
    hit = open_data_cache.get(key, ttl) if ttl > 0 else None
    if hit is not None:
        return hit[1]
    columns, records = dataset.build()
    stamp = modified(records)
    document = {"dataset": key, "licence": LICENCE, "modified": stamp, "items": records}
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    table = csv_bytes(columns, ([r.get(c) for c in columns] for r in records))
    result = Built(
        json=body,
        csv=table,
        json_etag=hashlib.sha256(body).hexdigest(),
        csv_etag=hashlib.sha256(table).hexdigest(),
        count=len(records),
        modified=stamp,
    )
    open_data_cache.put(key, result)
    return result


def _cached(
    body: bytes, mimetype: str, filename: str | None = None, etag: str | None = None
) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag or hashlib.sha256(body).hexdigest())
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"
    if filename:
        response.headers["Content-Disposition"] = f"inline; filename={filename}"
    return response.make_conditional(request)


def _dataset_or_404(key: str) -> Dataset:
    dataset = datasets().get(key)
    if dataset is None:
        abort(404)
    return dataset


def _text(value: Any, locale: str) -> str:
    with force_locale(locale):
        return str(value)


def catalogue_document() -> dict[str, Any]:
    entries = []
    for key, dataset in datasets().items():
        documents = built(key, dataset)
        entries.append(
            {
                "@type": "dcat:Dataset",
                "@id": url_for("open_data.dataset", key=key, fmt="json", _external=True),
                "dct:identifier": key,
                "dct:title": [
                    {"@language": "vi", "@value": _text(dataset.title, "vi")},
                    {"@language": "en", "@value": _text(dataset.title, "en")},
                ],
                "dct:description": [
                    {"@language": "vi", "@value": _text(dataset.description, "vi")},
                    {"@language": "en", "@value": _text(dataset.description, "en")},
                ],
                "dcat:keyword": list(dataset.keywords),
                "dct:license": {"@id": LICENCE},
                "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "UBND thành phố Huế"},
                "dct:modified": documents.modified,
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dcat:accessURL": {
                            "@id": url_for("open_data.dataset", key=key, fmt=fmt, _external=True)
                        },
                        "dcat:downloadURL": {
                            "@id": url_for("open_data.dataset", key=key, fmt=fmt, _external=True)
                        },
                        "dcat:mediaType": media,
                        "dct:format": fmt.upper(),
                        "dct:license": {"@id": LICENCE},
                    }
                    for fmt, media in (("csv", "text/csv"), ("json", "application/json"))
                ],
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Catalog",
        "@id": url_for("open_data.catalogue_jsonld", _external=True),
        "dct:title": [
            {"@language": "vi", "@value": "Dữ liệu mở hệ sinh thái đổi mới sáng tạo Huế"},
            {"@language": "en", "@value": "Open data of the Huế innovation ecosystem"},
        ],
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "UBND thành phố Huế"},
        "dct:license": {"@id": LICENCE},
        "dcat:dataset": entries,
    }


@open_data_bp.get("/")
def catalogue():
    items = []
    for key, dataset in datasets().items():
        documents = built(key, dataset)
        items.append((key, dataset, documents.count, documents.modified))
    return render_template(
        "dashboard/open_data.html",
        items=items,
        licence=LICENCE,
        cache_minutes=max(1, cache_seconds() // 60),
    )


@open_data_bp.get("/catalog.jsonld")
def catalogue_jsonld():
    body = json.dumps(catalogue_document(), ensure_ascii=False, sort_keys=True).encode()
    return _cached(body, "application/ld+json")


@open_data_bp.get("/<key>.<any(csv, json):fmt>")
def dataset(key: str, fmt: str):
    documents = built(key, _dataset_or_404(key))
    if fmt == "csv":
        return _cached(
            documents.csv, "text/csv; charset=utf-8", f"{key}.csv", etag=documents.csv_etag
        )
    return _cached(documents.json, "application/json", etag=documents.json_etag)
