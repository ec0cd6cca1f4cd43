"""Bad input, systematically: every CLI command and option, and the public API, fed malformed values.

Every value-taking option of every command (found by walking the command tree, so a new option without
a rule here fails :func:`test_every_option_has_a_bad_input_rule`) gets values drawn by hypothesis from
its kind's malformed set: empty, NaN, ±inf, negative, huge, wrong type, unknown names, unicode, over-long.
Each must give exit status 2 with an error line and no traceback — never a silent number. The public
API must raise a documented :class:`~iclverify.runtime.errors.UserError` with a one-line message.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import select
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from iclverify.runtime.errors import UserError

HUGE = "9" * 400
LONG = "x" * 5000
BAD = {
    "seed": ["", "abc", "nan", "inf", "-1", "1.5", "1e400", "0x10", "½", "３x", "-" + HUGE, "1 2", "None"],
    "int+": ["", "abc", "nan", "inf", "-1", "1.5", "1e400", "0x10", "½", "３x", "-" + HUGE, "1 2", "None"],
    "real+": ["", "abc", "nan", "NaN", "-1", "-1e-300", "inf", "-inf", "1/0", "1e400", "1,5", "½", HUGE + "e9", LONG],
    "exact+": ["", "abc", "nan", "NaN", "-1", "-1e-300", "1/0", "1,5", "½", "--", LONG],  # huge exact values are valid
    "real+inf": ["", "abc", "nan", "-1", "-inf", "0", "1/0", "-1e400", "1,5", LONG],
    "choice": ["", "bogus", "quick ", "ｑuick", "QUICK!", LONG, "é", "\N{SNOWMAN}"],
    "name": ["no-such-thing", "é\N{SNOWMAN}", LONG, "../../etc/passwd", " ", "lu2024.", "*"],
    "scheduler": ["", "bogus", "http://127.0.0.1:1", "tcp://", "tcp:/x", LONG],
    "fail-on": ["bogus", "confirmed,bogus", "é", LONG],
    "path": [],  # outputs: any writable path is valid; the unwritable ones are tested in tests/runtime
}
KIND = {
    "d": "int+", "runs": "int+", "seed": "seed", "layers": "int+", "steps": "int+", "batch_size": "int+",
    "jobs": "int+", "test_contexts": "int+", "threads": "int+", "dps": "int+", "k": "int+", "L": "int+",
    "alpha": "real+", "rho": "real+", "lam": "real+", "lr": "real+", "weight_decay": "real+", "h": "real+",
    "batch_fraction": "real+", "ridge": "real+", "epochs": "real+", "N": "real+", "a": "real+", "b": "real+",
    "ratio": "real+",
    "tau": "real+inf", "kappa": "real+inf",
    "level": "choice", "device": "choice", "model": "choice", "lr_schedule": "choice", "scaling": "choice",
    "dtype": "choice", "budget": "choice", "rounding": "choice",
    "name": "name", "paper": "name", "claim": "name", "show": "name",
    "scheduler": "scheduler", "fail_on": "fail-on",
    "out_dir": "path", "cache_dir": "path", "json_path": "path", "report": "path", "json_out": "path",
}  # fmt: skip
# valid arguments of each command, so that only the option under test is wrong
BASE = {
    "figure": ["figure", "lu2024-fig1", "--no-cache", "--out", "{tmp}"],
    "latex": ["latex", "lu2024", "--out", "{tmp}"],
    "train": ["train", "--d", "2", "--steps", "1", "--test-contexts", "4", "--no-progress", "--no-cache"],
    "verify": ["verify", "--claim", "lu2024.ridge.ridgeless-limit", "--no-cache", "--no-progress", "--no-figures"],
    "claims": ["claims"],
    "predict lu2024": ["predict", "lu2024", "--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "0.01"],
    "predict bordelon2025 iso-loss": ["predict", "bordelon2025", "iso-loss", "--alpha", "2", "--L", "2"],
    "predict mehta-gupta exponent": ["predict", "mehta-gupta", "exponent", "--h", "1/2"],
    "predict mehta-gupta allocation": ["predict", "mehta-gupta", "allocation", "--N", "1e6"],
    "predict mehta-gupta critical-scale": ["predict", "mehta-gupta", "critical-scale", "--k", "20", "--h", "2"],
    "cache info": ["cache", "info", "--cache-dir", "{tmp}"],
    "cache verify": ["cache", "verify", "--cache-dir", "{tmp}"],
    "cache prune": ["cache", "prune", "--cache-dir", "{tmp}", "--dry-run"],
}


def _commands() -> Iterator[tuple[str, object]]:
    from iclverify.cli import _load_commands
    from iclverify.cli.app import app

    _load_commands()

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), cmd

    yield from walk(typer.main.get_command(app), [])


def _targets() -> list[tuple[str, str, str | None]]:
    """(command, parameter name, option flag or None for the positional argument) of every value parameter."""
    found = []
    for path, cmd in _commands():
        for p in cmd.params:
            if getattr(p, "is_flag", False) or p.name in ("help",):
                continue
            flag = next((o for o in p.opts if o.startswith("--")), None) if p.param_type_name == "option" else None
            found.append((path, p.name, flag))
    return found


def _kind(command: str, name: str) -> str:
    """The option's kind; ``predict`` reads numbers exactly, so a huge value is a valid number there."""
    kind = KIND[name]
    return "exact+" if command.startswith("predict") and kind in ("real+", "real+inf") else kind


# Found by this test and reported (not fixed here: these commands belong to other rooms). Each still runs;
# xfail is not strict because hypothesis may not draw the offending value in a given run.
KNOWN: dict[tuple[str, str], str] = {}  # every defect this test found is fixed; a new one goes here
TARGETS = [
    pytest.param(
        c,
        n,
        f,
        id=f"{c}:{n}",
        marks=[pytest.mark.xfail(reason=KNOWN[c, n], strict=True), pytest.mark.slow] if (c, n) in KNOWN else [],
    )
    for c, n, f in _targets()
    if KIND.get(n) != "path"
]


def test_every_option_has_a_bad_input_rule():
    missing = [t for t in _targets() if t[1] not in KIND]
    assert not missing, f"options without a bad-input rule: {missing}"
    assert {t[0] for t in _targets()} <= set(BASE), set(t[0] for t in _targets()) - set(BASE)


def _argv(command: str, name: str, flag: str | None, value: str, tmp: str) -> list[str]:
    base = [a.replace("{tmp}", tmp) for a in BASE[command]]
    if flag is None:  # the positional argument: replace the valid one
        words = command.split()
        return [*words, value, *base[len(words) + 1 :]]
    if flag in base:  # a required option: replace its valid value
        i = base.index(flag)
        return [*base[:i], flag, value, *base[i + 2 :]]
    return [*base, flag, value]


TRIED: set[tuple[str, str, str]] = set()


def _forked(thunk: Callable[[], Any], timeout: float = 10.0) -> Any:
    """``thunk()`` in a forked child (the parent's imports are reused); its JSON-able return value, or
    ``"hung"`` when it started computing on the bad value instead of refusing it (killed after ``timeout``)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(r)
        try:
            value = thunk()
        except BaseException as exc:
            value = f"escaped {type(exc).__name__}: {exc}"
        data = json.dumps(value).encode()
        while data:
            data = data[os.write(w, data) :]
        os._exit(0)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return "hung"
        data = b""
        while chunk := os.read(r, 1 << 16):
            data += chunk
        return json.loads(data) if data else "died"
    finally:
        os.close(r)
        os.waitpid(pid, 0)


def _cli_in_child(argv: list[str], cache: str) -> Callable[[], Any]:
    def run() -> list[Any]:
        from iclverify.cli import main

        os.environ["ICLVERIFY_CACHE"] = cache
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        return [code, err.getvalue()]

    return run


@pytest.fixture(scope="module")
def warm():
    """Import what the commands import lazily once, so that every forked child starts in milliseconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    from iclverify.cli import _load_commands
    from iclverify.figures import all_figures

    _load_commands()
    all_figures()
    with contextlib.suppress(ImportError):
        import iclverify.empirics.training.train
    import iclverify.api  # noqa: F401
    from iclverify.numerics.lu2024 import vectorised
    from iclverify.numerics.lu2024.certified import evaluate
    from iclverify.theory.params import LuParams

    vectorised.evaluate(2, 1, 0.5, 0.01, 0.1)  # compile the lambdified formulas once, here
    evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01", lam="0.1"), dps=15)


@pytest.mark.parametrize(("command", "name", "flag"), TARGETS)
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the values are already minimal
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_cli_rejects_malformed_values_with_exit_2_and_one_error(warm, tmp_path, command, name, flag, data):
    value = data.draw(st.sampled_from(BAD[_kind(command, name)]), label="value")
    shown = value if len(value) < 40 else value[:20] + "..."
    TRIED.add((command, name, value))
    found = _forked(_cli_in_child(_argv(command, name, flag, value, str(tmp_path)), str(tmp_path / "cache")))
    code, err = found if isinstance(found, list) else (found, "")
    assert code == 2, f"{command} {flag or name} {shown!r}: exit {code}; {err[-300:]}"
    assert "Traceback" not in err and "internal error" not in err
    errors = [line for line in err.splitlines() if line.lower().lstrip().startswith("error")]
    assert len(errors) == 1, err


HUGE_TARGETS = [
    pytest.param(
        c, n, f, id=f"{c}:{n}", marks=[pytest.mark.xfail(reason=KNOWN[c, n], strict=True)] if (c, n) in KNOWN else []
    )
    for c, n, f in _targets()
    if KIND.get(n) == "int+"
]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "name", "flag"), HUGE_TARGETS)
def test_huge_integers_are_refused(warm, tmp_path, command, name, flag):
    """A 400-digit integer for every integer option: refused, never an internal error or a run that starts."""
    TRIED.add((command, name, HUGE))
    found = _forked(_cli_in_child(_argv(command, name, flag, HUGE, str(tmp_path)), str(tmp_path / "cache")))
    code, err = found if isinstance(found, list) else (found, "")
    assert code == 2 and "Traceback" not in err and "internal error" not in err, f"{command} {flag}: {code} {err}"


def test_a_cache_directory_that_is_a_file_is_refused(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for sub in ("info", "verify", "prune"):
        result = cli("cache", sub, "--cache-dir", str(blocker))
        assert result.code == 2 and "not a directory" in result.err and "Traceback" not in result.err
        TRIED.add(("cache " + sub, "cache_dir", "a file"))


# ---------------------------------------------------------------------------------------------- the API
# (a huge exact number such as 10**400 is a valid parameter of the exact API, so it is not here)
WRONG_TYPES = st.sampled_from([None, [], {}, object(), b"1", 1j, math.nan, -math.inf, -1, -(10**400), "", "abc", LONG])


def _api_calls():
    import iclverify
    from iclverify.numerics.lu2024 import vectorised
    from iclverify.numerics.lu2024.certified import evaluate
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.executors import check_scheduler
    from iclverify.runtime.seeding import rng
    from iclverify.theory.params import LuParams

    good = {"tau": 2, "alpha": 1, "kappa": "1/2", "rho": "0.01"}
    return {
        "predict lu2024": lambda v, f: iclverify.predict("lu2024", **{**good, f: v}),
        "predict mehta-gupta exponent": lambda v, f: iclverify.predict("mehta-gupta", "exponent", h=v),
        "predict mehta-gupta critical-scale": lambda v, f: iclverify.predict("mehta-gupta", "critical-scale", k=v, h=2),
        "predict unknown": lambda v, f: iclverify.predict(str(v) + "?", None),
        "claims": lambda v, f: iclverify.claims(paper=str(v) + "?"),
        "verify claim": lambda v, f: iclverify.verify(claim=str(v) + "?", cache=False),
        "verify jobs": lambda v, f: iclverify.verify(claim="lu2024.ridge.ridgeless-limit", jobs=v, cache=False),
        "verify level": lambda v, f: iclverify.verify(claim="lu2024.ridge.ridgeless-limit", level=v, cache=False),
        "LuParams": lambda v, f: LuParams(**{**good, f: v}),
        "certified.evaluate dps": lambda v, f: evaluate(LuParams(**good), dps=v),
        "vectorised.evaluate": lambda v, f: vectorised.evaluate(**{**good, "kappa": 0.5, "rho": 0.01, f: v}),
        "rng": lambda v, f: rng(v, "stream"),
        "ResultCache.put": lambda v, f: ResultCache(f"/tmp/icl-bad-input-cache-{id(v)}", fingerprint="t").put(
            "ns", {"x": 1}, {"v": object() if isinstance(v, str) else v}
        ),
        "check_scheduler": lambda v, f: check_scheduler(v),
    }


API_FIELDS = {
    "predict lu2024": ["tau", "alpha", "kappa", "rho", "lam", "dps"],
    "LuParams": ["tau", "alpha", "kappa", "rho", "lam"],
    "vectorised.evaluate": ["tau", "alpha", "kappa", "rho", "lam"],
}
KNOWN_API: dict[str, str] = {}
API = [
    pytest.param(
        name,
        field,
        id=f"{name}:{field}" if field else name,
        marks=[pytest.mark.xfail(reason=KNOWN_API[name], strict=True)] if name in KNOWN_API else [],
    )
    for name in _api_calls()
    for field in API_FIELDS.get(name, [""])
]


@pytest.mark.parametrize(("name", "field"), API)
@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate])
@given(value=WRONG_TYPES)
def test_api_raises_a_documented_error_with_one_line(warm, name, field, value):
    call = _api_calls()[name]

    def attempt() -> list[str]:
        try:
            call(value, field)
        except UserError as exc:
            return ["user", str(exc)]
        except Exception as exc:  # anything else is a bug
            return ["other", f"{type(exc).__name__}: {exc}"[:300]]
        return ["accepted", ""]

    found = _forked(attempt)
    kind, message = found if isinstance(found, list) else (found, "")
    TRIED.add((name, field, repr(value)[:50]))
    if kind == "accepted" and name == "ResultCache.put" and not isinstance(value, str):
        return  # a storable value is fine
    if kind == "accepted" and name == "vectorised.evaluate" and value == []:
        return  # an empty grid gives empty results
    if kind == "accepted" and name == "verify jobs" and value is None:
        return  # None is the default: as many jobs as workers
    assert kind == "user", f"{name}({field}={repr(value)[:60]}): {kind} {message}"
    assert "\n" not in message.strip(), message


def test_report_how_many_distinct_bad_inputs_were_tried():
    """Runs last in this module: prints the count (``pytest -s``) and checks the sweep was not empty."""
    if not TRIED:
        pytest.skip("run with the rest of this module")
    print(f"\ndistinct bad inputs tried: {len(TRIED)}")
    assert len(TRIED) >= 100
