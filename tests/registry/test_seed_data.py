"""The demo data set holds to the platform's own rules (checksums, enums, references, counts)."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_seed.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_seed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_data_passes_its_checks(capsys):
    assert _checker().main([]) == 0, capsys.readouterr().out


def test_the_checks_catch_a_broken_tax_code(tmp_path):
    module = _checker()
    data, problems = module.load(module.SEED_DIR)
    assert problems == []
    enterprise = next(o for o in data["organisations"] if o.get("tax_code"))
    enterprise["tax_code"] = enterprise["tax_code"][:9] + str(
        (int(enterprise["tax_code"][9]) + 1) % 10
    )
    checker = module.Checker(data)
    checker.run()
    assert any("tax" in problem.lower() for problem in checker.problems)
