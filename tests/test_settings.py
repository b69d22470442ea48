"""Each setting is declared once: the CLI's flags, the Python API and the pipeline TOML share one default,
one help text and one check."""

import dataclasses
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from r1ci.cli import app
from r1ci.settings import as_table, flags, from_table, table_keys, with_settings


def commands(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


CLICK = typer.main.get_command(app)
DERIVED = {name: command for name, command in commands(CLICK)
           if getattr(command.callback, "settings_flags", None)}


def test_the_stage_commands_take_their_flags_from_settings_classes():
    assert {"eval", "synth", "sft", "potential", "rl", "model tiny", "sandbox run", "study code-vs-text"} <= set(DERIVED)


@pytest.mark.parametrize("name", sorted(DERIVED))
def test_every_flag_default_is_its_field_default(name):
    """What typer would pass for every flag left out builds exactly the class's default instance."""
    command = DERIVED[name]
    by_param = {p.name: p for p in command.params}
    for cls, derived in command.callback.settings_flags.items():
        required = {f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        filled = {f: "x" for f in required}
        expected = cls(**filled)
        for flag in derived:
            if flag.parameter.name in required:
                assert by_param[flag.parameter.name].required
                continue
            param = by_param[flag.parameter.name]
            value = flag.value(param.default)
            field_value = expected
            for part in flag.path:
                field_value = getattr(field_value, part)
            if value is None and (flag.item is not None or flag.late):  # left out: the field keeps its default
                continue
            assert value == field_value, f"r1ci {name} --{param.name.replace('_', '-')}: {value!r} != {field_value!r}"
            assert param.help == next(f for f in dataclasses.fields(_owner(cls, flag.path))
                                      if f.name == flag.path[-1]).metadata["help"]


def _owner(cls, path):
    for part in path[:-1]:
        cls = {f.name: f.type for f in dataclasses.fields(cls)}[part]
        cls = cls if isinstance(cls, type) else eval(cls)  # noqa: S307 - our own annotations
    return cls


@pytest.mark.parametrize("args, message", [
    (["sft", "--model", "m", "--data", "d", "--out", "o", "--report-to", "wandb"], "report_to must be one of"),
    (["sft", "--model", "m", "--data", "d", "--out", "o", "--batch-size", "0"], "batch_size must be positive"),
    (["rl", "--model", "m", "--potential", "p", "--out", "o", "--num-generations", "1"], "at least 2"),
    (["potential", "--model", "m", "--out", "o", "--thresholds", "0.3,0.6"], "thresholds must be decreasing"),
    (["potential", "--model", "m", "--out", "o", "--thresholds", "a"], "--thresholds"),
    (["eval", "--model", "m", "--out", "o", "--mode", "chat"], "unknown mode 'chat'"),
    (["synth", "--out", "o", "--two-step-share", "2"], "two_step_share must be between 0 and 1"),
    (["model", "tiny", "--out", "o", "--hidden", "30", "--heads", "4"], "multiple of heads"),
    (["sandbox", "run", "-", "--timeout", "0"], "limit timeout must be a positive number"),
])
def test_a_value_a_check_rejects_is_a_clear_usage_error(args, message, tmp_path):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_the_same_check_guards_the_python_api_and_the_pipeline_toml(tmp_path):
    from r1ci.pipeline import load_config
    from r1ci.sft import SFTSettings

    with pytest.raises(ValueError, match="report_to must be one of"):
        SFTSettings(report_to="wandb")
    path = tmp_path / "bad.toml"
    path.write_text('tasks = ["symbench/number_multiply"]\n[sft]\nreport_to = "wandb"\n')
    with pytest.raises(ValueError, match=r"\[sft\]: report_to must be one of"):
        load_config(path)
    path.write_text('tasks = ["symbench/number_multiply"]\n[potential]\nmodel = "x"\n')
    with pytest.raises(ValueError, match="model: set by the pipeline"):
        load_config(path)


def test_list_flags_take_commas_or_repeats():
    from r1ci.potential import PotentialConfig

    command = DERIVED["potential"]
    tasks = next(f for f in flags(PotentialConfig) if f.path == ("tasks",))
    assert tasks.value(["rg/gcd,rg/lcm", "rg/chain_sum"]) == ["rg/gcd", "rg/lcm", "rg/chain_sum"]
    thresholds = next(f for f in flags(PotentialConfig) if f.path == ("thresholds",))
    assert thresholds.value(["0.5, 0.2"]) == (0.5, 0.2)
    assert "--exclude" in {o for p in command.params for o in p.opts}


def test_shared_defaults_are_literals_in_one_place():
    """The token budget and the script timeout are declared once (the rollout engine's and the sandbox's)."""
    root = Path(__file__).resolve().parents[1] / "r1ci"
    source = "\n".join(p.read_text() for p in root.rglob("*.py"))
    assert len(re.findall(r"max_new_tokens: int = (?:setting\()?1024", source)) == 1
    assert len(re.findall(r"turn_tokens: int = (?:setting\()?512", source)) == 1
    assert not re.search(r"(max_new_tokens|turn_tokens): int = setting\(RolloutConfig", source)
    assert len(re.findall(r"timeout: float = (?:setting\()?10\.0", source)) == 1


ROLLOUT_FLAGS = {"--max-new-tokens", "--turn-tokens", "--max-turns", "--max-code-calls", "--timeout"}


@pytest.mark.parametrize("name, default_tokens", [("eval", 1024), ("potential", 1024), ("rl", 1024),
                                                  ("synth", 2048), ("study code-vs-text", 256)])
def test_every_stage_that_rolls_out_has_the_same_budget_flags(name, default_tokens):
    """One declaration (RolloutSettings), nested in each stage with its own defaults, the same flag names."""
    by_flag = {o: p for p in DERIVED[name].params for o in p.opts}
    assert ROLLOUT_FLAGS <= set(by_flag), f"r1ci {name} lacks {ROLLOUT_FLAGS - set(by_flag)}"
    assert by_flag["--max-new-tokens"].default == default_tokens


def test_a_budget_flag_reaches_the_nested_settings():
    from r1ci.evaluate import EvalConfig

    seen = {}

    @with_settings(lambda message: pytest.fail(message), config=EvalConfig)
    def command(config: EvalConfig):
        seen["config"] = config

    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, ["--model", "m", "--max-new-tokens", "77", "--max-code-calls", "2"])
    assert result.exit_code == 0, result.output
    assert seen["config"].rollout.max_new_tokens == 77 and seen["config"].rollout.max_code_calls == 2
    assert seen["config"].rollout_config().budget.max_code_calls == 2  # what the engine enforces


def test_a_table_names_budgets_like_flags_and_round_trips():
    from r1ci.rl import RLSettings

    settings = from_table(RLSettings, {"max_new_tokens": 160, "steps_per_stage": 3, "reward": {"free_turns": 2}})
    assert settings.rollout.max_new_tokens == 160 and settings.reward.free_turns == 2
    assert settings.rollout.turn_tokens == RLSettings().rollout.turn_tokens  # the rest stays at its default
    assert from_table(RLSettings, as_table(settings)) == settings
    assert "rollout" not in table_keys(RLSettings) and table_keys(RLSettings)["max_turns"] == ("rollout", "max_turns")
    for bad, message in (({"max_new_tokenz": 1}, "unknown key(s) max_new_tokenz"),
                         ({"reward": {"free_turnz": 1}}, "unknown key(s) in reward: free_turnz"),
                         ({"max_turns": 0}, "max_turns must be positive")):
        with pytest.raises(ValueError, match=re.escape(message)):
            from_table(RLSettings, bad)


def test_every_wired_field_names_a_wire_the_pipeline_knows():
    """The pipeline fills fields by the kind they declare, never by their names."""
    from r1ci.pipeline import SECTIONS, WIRES, settings_class

    kinds = {f.metadata["wired"] for section in SECTIONS for f in dataclasses.fields(settings_class(section))
             if "wired" in f.metadata}
    assert kinds <= set(WIRES) and {"model", "seen", "questions seed", "tasks"} <= kinds
    pipeline_source = (Path(__file__).resolve().parents[1] / "r1ci" / "pipeline.py").read_text()
    for name in ("exclude", "SUPPLIED", "seed + 1", "seed + 2"):
        assert name not in pipeline_source, f"pipeline.py names {name!r}: wire it by kind instead"
