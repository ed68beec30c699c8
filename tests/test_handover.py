"""Inputs read once per report: kept inputs go only to the same template, folder and parameters, once."""

from __future__ import annotations

from whatworks import handover
from whatworks.evaluation import Evaluation


@handover.reads_once
def load(ev: Evaluation) -> tuple[str, object]:
    return "read", ev.get("data")


def test_kept_inputs_go_once_to_exactly_the_same_evaluation(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    handover.keep(__name__, tmp_path, {"data": "a.csv"}, ("kept", "a.csv"))
    assert load(Evaluation({"data": "b.csv"}, base_dir=tmp_path)) == ("read", "b.csv")  # other parameters
    assert load(Evaluation({"data": "a.csv", "x": 1}, base_dir=tmp_path)) == ("read", "a.csv")  # one more
    assert load(Evaluation({"data": "a.csv"}, base_dir=other)) == ("read", "a.csv")  # another folder
    assert load(Evaluation({"data": "a.csv"}, base_dir=tmp_path / ".")) == ("kept", "a.csv")
    assert load(Evaluation({"data": "a.csv"}, base_dir=tmp_path)) == ("read", "a.csv")  # only once


def test_kept_inputs_are_for_one_template_only_and_can_be_dropped(tmp_path):
    handover.keep("whatworks.templates.somewhere_else", tmp_path, {"data": "a.csv"}, ("kept", "a.csv"))
    assert load(Evaluation({"data": "a.csv"}, base_dir=tmp_path)) == ("read", "a.csv")
    handover.drop("whatworks.templates.somewhere_else", tmp_path)
    handover.keep(__name__, tmp_path, {"data": "a.csv"}, ("kept", "a.csv"))
    handover.drop(__name__, tmp_path)
    assert load(Evaluation({"data": "a.csv"}, base_dir=tmp_path)) == ("read", "a.csv")
    assert handover._KEPT == {}


def test_nothing_read_is_not_handed_over(tmp_path):
    handover.keep(__name__, tmp_path, {"data": "a.csv"}, None)
    assert handover._KEPT == {}
    assert load(Evaluation({"data": "a.csv"}, base_dir=tmp_path)) == ("read", "a.csv")
