"""The engine is a library of its own: it loads without the web platform."""

import subprocess
import sys

import pytest

import ecosystem.matching.engine as engine


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_engine_runs_without_flask_or_a_database():
    modules = _loaded_after(
        "from ecosystem.matching.engine import MatchIndex, Document; "
        "MatchIndex.build([Document('a', 'result', 'nuôi tôm', 'nuôi tôm thẻ')])"
    )
    assert "numpy" in modules  # the statement really ran the engine
    assert not {"flask", "sqlalchemy", "celery", "ecosystem.core", "ecosystem.extensions"} & modules


def test_search_folding_does_not_pull_in_the_numeric_engine():
    modules = _loaded_after("from ecosystem.core.text import fold; fold('Huế')")
    assert "ecosystem.matching.engine.folding" in modules
    assert "numpy" not in modules and "numba" not in modules


@pytest.mark.parametrize("name", engine.__all__)
def test_every_public_name_loads(name):
    assert getattr(engine, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        engine.NoSuchThing  # noqa: B018
