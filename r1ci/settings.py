"""How a setting is declared once: a dataclass field with its help text, and the CLI flags derived from it.

Every stage's settings are a dataclass (`SFTSettings`, `RLSettings`, `EvalConfig`, ...). Each field is a
`setting(default, help)`; checks live in the class's `__post_init__`. The command line (`with_settings`) and
the pipeline's TOML tables build those same classes, so a default, a help text or a check exists in one place
and cannot differ between the CLI, the Python API and a config file (as TRL's configs and HfArgumentParser do).

Flags are the field names with dashes (`n_per_task` -> `--n-per-task`). A nested settings class (`group`) adds its
field name as a prefix (`RLSettings.reward.free_turns` -> `--reward-free-turns`, and a sub-table `reward = {...}`
in a config file), unless it is declared unprefixed: the rollout budgets every rolling stage nests
(`EvalConfig.rollout.max_new_tokens` -> `--max-new-tokens`, a key of the stage's own table). A boolean that is off by default
is a plain switch (`--insecure`), other booleans are `--x/--no-x`; a list takes comma-separated values, or the
flag repeated. This module knows no stage: the shared fields below are the few that several stages declare
alike (the sandbox's workers and isolation, where logs go, bf16).
"""

import dataclasses
import functools
import inspect
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Optional, Union

REPORT_TO = ("none", "tensorboard", "trackio")
WORKERS_HELP = "Scripts run at once in the sandbox (default: the CPU count)."
INSECURE_HELP = ("Run scripts without bubblewrap and namespaces (rlimits only): they can read your files and use "
                 "the network. Only for machines where isolation is impossible; the sandbox refuses to start "
                 "otherwise.")


def setting(default: Any = dataclasses.MISSING, help: str = "", *, factory: Any = dataclasses.MISSING,
            wired: str | None = None) -> Any:
    """A settings field: its default (or `factory` for a mutable one) and the help text its flag shows. `wired`
    names what the field takes from the run when stages run as a pipeline (one of `r1ci.pipeline.WIRES`, e.g.
    "model": the model the step before it trained) instead of from the step's table."""
    if not help:
        raise ValueError("every setting needs its help text")
    metadata = {"help": help} | ({"wired": wired} if wired else {})
    return dataclasses.field(default=default, default_factory=factory, metadata=metadata)


def group(factory: Any, prefixed: bool = True, wired: str | None = None) -> Any:
    """A nested settings class as a field: `factory` makes its default; `prefixed=False` gives its fields the flag
    and table names they have in their own class; `wired` as for `setting` (the whole group comes from the run)."""
    metadata = {"group": True, "prefixed": prefixed} | ({"wired": wired} if wired else {})
    return dataclasses.field(default_factory=factory, metadata=metadata)


def workers_setting() -> Any:
    return setting(None, WORKERS_HELP, wired="workers")


def insecure_setting() -> Any:
    return setting(False, INSECURE_HELP, wired="insecure")


def report_to_setting() -> Any:
    return setting("none", "Where training logs go besides metrics.jsonl: none, tensorboard or trackio.")


def bf16_setting() -> Any:
    return setting(None, "bf16 autocast (default: where bf16 is fast: GPUs that support it, CPUs with AMX or "
                         "AVX-512 BF16; r1ci.models.bf16_is_fast).")


def check_report_to(value: str) -> None:
    if value not in REPORT_TO:
        raise ValueError(f"report_to must be one of {', '.join(REPORT_TO)}, got {value!r}")


def check_positive(settings: Any, *names: str) -> None:
    """Each named field is positive (None, where a field allows it, passes)."""
    bad = [n for n in names if getattr(settings, n) is not None and getattr(settings, n) <= 0]
    if bad:
        raise ValueError(", ".join(bad) + " must be positive; got " +
                         ", ".join(f"{n}={getattr(settings, n)!r}" for n in bad))


# Deriving the command line -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Flag:
    """One derived option: the parameter typer sees, and where its value goes."""

    parameter: inspect.Parameter
    path: tuple[str, ...]            # field names from the settings class down, e.g. ("reward", "free_turns")
    item: type | None = None         # list and tuple fields: the type of an item
    container: type | None = None    # list or tuple
    late: bool = False               # an optional field whose default is made when the command runs: None = not given

    def value(self, raw):
        """The field's value from what typer parsed; None for a list flag means "not given"."""
        if self.item is None or raw is None:
            return raw
        parts = [part.strip() for text in raw for part in str(text).split(",") if part.strip()]
        try:
            values = [self.item(part) for part in parts]
        except ValueError as exc:
            raise ValueError(f"--{self.parameter.name.replace('_', '-')}: {exc}") from exc
        return tuple(values) if self.container is tuple else values


def _optional(annotation) -> tuple[Any, bool]:
    """(T, True) for `T | None`, else (annotation, False)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = typing.get_args(annotation)
        if len(args) == 2 and type(None) in args:
            return next(a for a in args if a is not type(None)), True
    return annotation, False


def _field_default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return ...  # typer's "required"


def flags(cls, skip=frozenset(), path: tuple[str, ...] = (), names: tuple[str, ...] = (), defaults=None) -> list[Flag]:
    """The options of `cls`'s fields but `skip`. A nested settings class is flattened, its defaults taken from
    the parent's default instance (`defaults`); `path` leads to `cls` from the top class, `names` is the prefix of
    its flags."""
    import typer

    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = getattr(defaults, f.name) if defaults is not None else _field_default(f)
        if dataclasses.is_dataclass(hints[f.name]):
            prefixed = f.metadata.get("prefixed", True)
            out += flags(hints[f.name], skip if not prefixed else frozenset(), path + (f.name,),
                         names + (f.name,) if prefixed else names, default)
            continue
        if "help" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with r1ci.settings.setting (no help text)")
        name = "_".join(names + (f.name,))
        flag = "--" + name.replace("_", "-")
        base, optional = _optional(hints[f.name])
        late = optional and f.default_factory is not dataclasses.MISSING  # e.g. read from the environment
        default = None if late else default
        decls, metavar, item, container = [flag], None, None, None
        if typing.get_origin(base) in (list, tuple):
            item, container = typing.get_args(base)[0], typing.get_origin(base)
            kind, metavar = Optional[list[str]], "A,B,..."
            default = [",".join(map(str, default))] if default not in (None, ...) and len(default) else None
        elif base is bool:
            kind = Optional[bool] if optional else bool
            if default is not False:  # a switch that is off unless given needs no --no- form
                decls = [f"{flag}/--no-{flag[2:]}"]
        else:
            kind = Optional[base] if optional else base
        option = typer.Option(*decls, help=f.metadata["help"], metavar=metavar,
                              show_default=default is not None and default is not False)
        parameter = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[kind, option],
                                      default=default)
        out.append(Flag(parameter, path + (f.name,), item, container, late))
    return out


def build(cls, values: dict[tuple[str, ...], Any], default=None):
    """An instance of `cls` from values keyed by field path; a nested settings class starts from its default in
    the parent, so a stage's own defaults for it hold (`default`: that instance, when `cls` is nested)."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if (f.name,) in values:  # a value for the whole field (a nested class given as an instance)
            kwargs[f.name] = values[(f.name,)]
        elif dataclasses.is_dataclass(hints[f.name]):
            inner = {path[1:]: v for path, v in values.items() if path[0] == f.name}
            if inner:
                base = getattr(default, f.name) if default is not None else _field_default(f)
                kwargs[f.name] = build(hints[f.name], inner, base)
        elif (f.name,) in values:
            kwargs[f.name] = values[(f.name,)]
    return cls(**kwargs) if default is None else dataclasses.replace(default, **kwargs)


def table_keys(cls) -> dict[str, tuple[str, ...]]:
    """A config file's keys for `cls`: each key (a field, or a prefixed group's sub-table) -> its path; an
    unprefixed group's fields are keys of the table itself."""
    hints = typing.get_type_hints(cls)
    keys = {}
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]) and not f.metadata.get("prefixed", True):
            keys |= {name: (f.name, *path) for name, path in table_keys(hints[f.name]).items()}
        else:
            keys[f.name] = (f.name,)
    return keys


def from_table(cls, table: dict):
    """An instance of `cls` from a config file's table (`table_keys`); a prefixed group is a sub-table, and any
    group may be given whole, as an instance, under its field's name. An unknown key is a ValueError that names
    it."""
    hints = typing.get_type_hints(cls)
    whole = {f.name: (f.name,) for f in dataclasses.fields(cls)
             if dataclasses.is_dataclass(hints[f.name]) and isinstance(table.get(f.name), hints[f.name])}
    keys = table_keys(cls) | whole
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(keys))}")
    values = {}
    for key, value in table.items():
        if key not in whole and dataclasses.is_dataclass(hints.get(key)) and isinstance(value, dict):  # a sub-table
            inner = table_keys(hints[key])
            bad = sorted(set(value) - set(inner))
            if bad:
                raise ValueError(f"unknown key(s) in {key}: {', '.join(bad)}; known: {', '.join(sorted(inner))}")
            values |= {(key, *inner[k]): v for k, v in value.items()}
        else:
            values[keys[key]] = value
    return build(cls, values)


def as_table(settings) -> dict:
    """The inverse of `from_table`: a settings object as its config-file table (what run folders record)."""
    hints = typing.get_type_hints(type(settings))
    table = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(hints[f.name]):
            inner = as_table(value)
            table |= inner if not f.metadata.get("prefixed", True) else {f.name: inner}
        else:
            table[f.name] = str(value) if isinstance(value, Path) else value
    return table


def with_settings(on_error, **groups):
    """Decorate a typer command: each keyword names a parameter of the command that receives a settings object,
    built from flags derived from its class (`name=Cls`, or `name=(Cls, {fields left at their default})`).

    A value that a class's checks reject (ValueError) goes to `on_error(message)`. The command keeps its own
    parameters (paths, data folders), listed before the derived flags.
    """
    specs = {group: spec if isinstance(spec, tuple) else (spec, set()) for group, spec in groups.items()}

    def decorate(command):
        signature = inspect.signature(command)
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values()
               if p.name not in specs]
        derived = {group: flags(cls, frozenset(skip)) for group, (cls, skip) in specs.items()}
        parameters = own + [flag.parameter for group in derived.values() for flag in group]
        names = [p.name for p in parameters]
        if len(set(names)) != len(names):
            raise TypeError(f"{command.__name__}: a parameter has the name of a settings field")

        @functools.wraps(command)
        def wrapper(**kwargs):
            built = {}
            for group, (cls, _) in specs.items():
                given = [(flag, kwargs.pop(flag.parameter.name)) for flag in derived[group]]
                try:
                    values = [(flag, flag.value(raw)) for flag, raw in given]
                    built[group] = build(cls, {flag.path: v for flag, v in values
                                               if v is not None or (flag.item is None and not flag.late)})
                except ValueError as exc:
                    on_error(str(exc))
            return command(**kwargs, **built)

        wrapper.__signature__ = signature.replace(parameters=parameters)
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        wrapper.settings_flags = {specs[group][0]: group_flags for group, group_flags in derived.items()}
        return wrapper

    return decorate
