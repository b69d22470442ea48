"""The parts every SymBench task shares: the loader over CodeSteer's layout, the bounded redraw, the list
parser, config validation, and registration with reasoning-gym (datasets and their curricula)."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import reasoning_gym
from reasoning_gym.factory import DATASETS, create_curriculum, has_curriculum

from r1ci.tasks.symbench import GENERATED, dataset_class
from r1ci.tasks.symbench._lists_util import check_brackets, list_items
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, natural_key
from r1ci.tasks.symbench.string_insertion import StringInsertionDataset


def write_sample(folder, original="ABCDE", modified="ABCDAE"):
    folder.mkdir(parents=True)
    (folder / "question.txt").write_text(f"Given the string {original}")
    (folder / "solution.json").write_text(json.dumps({"original_string": original, "modified_string": modified}))


def test_samples_load_in_numeric_order(tmp_path):
    for i in (10, 2, 1):
        write_sample(tmp_path / "string_insertion" / f"sample_{i}")
    ids = [rel for rel, _, _ in StringInsertionDataset.load_codesteer(tmp_path)]
    assert ids == [f"string_insertion/sample_{i}" for i in (1, 2, 10)]
    assert sorted(["a_10_2", "a_2_10", "a_2_9"], key=natural_key) == ["a_2_9", "a_2_10", "a_10_2"]


def test_a_malformed_sample_names_its_folder(tmp_path):
    write_sample(tmp_path / "string_insertion" / "sample_3")
    (tmp_path / "string_insertion" / "sample_3" / "solution.json").write_text("{}")
    with pytest.raises(ValueError, match="string_insertion/sample_3: 'original_string'"):
        list(StringInsertionDataset.load_codesteer(tmp_path))


def test_list_items_reads_flat_and_nested_lists():
    assert list_items("[['A', 'B'], (\"C\"); {D}]") == ["A", "B", "C", "D"]
    assert list_items("1 2\n3,4") == ["1", "2", "3", "4"]
    for cut_off in ("[1, 2", "[(1, 2])", "1, 2]", "{1, 2"):
        with pytest.raises(Incorrect, match="unbalanced brackets"):
            list_items(cut_off)
    check_brackets("[(1), {2}]")


def test_every_generator_is_registered_with_reasoning_gym():
    assert {f"symbench_{name}" for name in GENERATED} <= set(DATASETS)


def test_create_dataset_through_reasoning_gym_and_score():
    dataset = reasoning_gym.create_dataset("symbench_game24", seed=3, size=4)
    assert len(dataset) == 4 and [entry["question"] for entry in dataset] == [dataset[i]["question"] for i in range(4)]
    entry = dataset[0]
    assert entry["metadata"]["source_dataset"] == "symbench_game24"
    assert dataset.score_answer(entry["answer"], entry) == 1.0
    assert dataset.score_answer(f"So: <<<{entry['answer']}>>>", entry) == 1.0
    assert dataset.score_answer(entry["answer"] + "+1", entry) == 0.0
    assert dataset.score_answer(None, entry) == 0.0
    assert reasoning_gym.create_dataset("symbench_game24", seed=3, size=4, target=10)[0]["metadata"]["target"] == 10


def knobs(name):
    inherited = {f.name for f in dataclasses.fields(SymbenchConfig)}
    return [f.name for f in dataclasses.fields(dataset_class(name).config_cls) if f.name not in inherited]


@pytest.mark.parametrize("name", GENERATED)
def test_curriculum_levels_make_valid_configs_and_checkable_items(name):
    assert knobs(name), "every generator has difficulty knobs"
    rg_name = f"symbench_{name}"
    assert has_curriculum(rg_name)
    curriculum = create_curriculum(rg_name)
    assert {field for attr in curriculum.attributes.values()
            for field in (getattr(attr, "field_name", None), getattr(attr, "lower_field_name", None),
                          getattr(attr, "upper_field_name", None)) if field} <= set(knobs(name))
    for level in range(max(len(attr.levels) for attr in curriculum.attributes.values())):
        curriculum.set_global_level(level)
        config = curriculum.generate_configuration({"seed": level, "size": 2})
        config.validate()
        dataset = reasoning_gym.create_dataset(rg_name, **dataclasses.asdict(config))
        for entry in dataset:
            assert dataset.score_answer(entry["answer"], entry) == 1.0, (name, level, entry["question"][:80])


# Knobs that take any value: any integer can be the target, and Chi may join the rules from any round on.
UNBOUNDED = {("game24", "target"), ("mahjong_pattern", "chi_from_rounds")}


@pytest.mark.parametrize("name", GENERATED)
def test_a_bad_config_is_a_value_error_that_names_the_field(name):
    config_cls = dataset_class(name).config_cls
    config_cls().validate()
    for field in dataclasses.fields(config_cls):
        if field.name == "seed" or (name, field.name) in UNBOUNDED:
            continue
        bad_values = [()] if isinstance(getattr(config_cls(), field.name), tuple) else [-10**6, 10**6]
        refusals = []  # (bad value, message)
        for bad in bad_values:
            try:
                config_cls(**{field.name: bad}).validate()
            except ValueError as e:
                refusals.append((bad, str(e)))
        assert any(field.name in message and repr(bad) in message for bad, message in refusals), \
            f"{name}: no ValueError names {field.name} and its value ({refusals})"


def test_config_checks_hold_under_python_O_and_through_reasoning_gym():
    """`python -O` drops asserts; these checks stay, and reach a reasoning-gym user as the same ValueError."""
    code = ("from r1ci.tasks.symbench.blocksworld import BlocksworldConfig\n"
            "try:\n    BlocksworldConfig(max_blocks=9).validate()\nexcept ValueError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert "min_blocks and max_blocks must satisfy 1 <= min_blocks <= max_blocks <= 5" in done.stdout, done.stderr
    assert "max_blocks=9" in done.stdout
    with pytest.raises(ValueError, match="max_blocks=9"):
        reasoning_gym.create_dataset("symbench_blocksworld", max_blocks=9)
