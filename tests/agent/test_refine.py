"""How each picture is coded: small changes fine at once, motion by rate control and then
refined once the screen is still."""

from __future__ import annotations

from app.agent.refine import Pass, Refiner, RefineSettings

SETTINGS = RefineSettings(settle_s=0.1, motion_frames=3, motion_window_s=0.25)


def test_a_keystroke_is_coded_fine_and_owes_nothing() -> None:
    refiner = Refiner(SETTINGS)
    assert refiner.frame(0.0004, now=1.0) is Pass.FINE
    refiner.coded(Pass.FINE, 49.0)
    assert refiner.due_in(1.05) is None


def test_a_large_change_is_motion_then_refined_once_still() -> None:
    refiner = Refiner(SETTINGS)
    assert refiner.frame(0.6, now=1.0) is Pass.CHANGE
    refiner.coded(Pass.MOTION, 38.0)
    waiting = refiner.due_in(1.04)
    assert waiting is not None and abs(waiting - 0.06) < 1e-9
    assert refiner.due_in(1.2) == 0.0
    assert refiner.refinement() is Pass.REFINE
    refiner.coded(Pass.REFINE, 52.5)
    assert refiner.due_in(1.3) is None


def test_a_refinement_that_fell_short_is_followed_by_an_intra_one() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(1.0, now=1.0)
    refiner.coded(Pass.MOTION, 35.0)
    refiner.coded(Pass.REFINE, 44.0)
    assert refiner.refinement() is Pass.REFINE_INTRA
    refiner.coded(Pass.REFINE_INTRA, 48.0)
    assert refiner.refinement() is None


def test_a_medium_change_is_fine_alone_but_motion_when_it_keeps_coming() -> None:
    refiner = Refiner(SETTINGS)
    assert refiner.frame(0.08, now=1.0) is Pass.FINE  # a menu opening
    assert refiner.frame(0.08, now=1.033) is Pass.FINE
    assert refiner.frame(0.08, now=1.066) is Pass.MOTION  # a small video playing
    assert refiner.frame(0.004, now=1.1) is Pass.FINE  # tiny is always fine


def test_a_small_change_after_motion_keeps_the_refinement_owed_and_postponed() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(0.9, now=1.0)
    refiner.coded(Pass.MOTION, 36.0)
    refiner.frame(0.001, now=1.08)
    refiner.coded(Pass.FINE, 40.0)
    waiting = refiner.due_in(1.1)
    assert waiting is not None and waiting > 0
    assert refiner.refinement() is Pass.REFINE


def test_motion_coded_very_coarsely_is_refined_as_an_intra_picture_at_once() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(1.0, now=1.0)
    refiner.coded(Pass.MOTION, 31.0)  # video
    assert refiner.refinement() is Pass.REFINE_INTRA
    refiner.frame(1.0, now=1.03)
    refiner.coded(Pass.MOTION, 44.0)  # a sharper frame after it does not lower what is owed
    assert refiner.refinement() is Pass.REFINE_INTRA


def test_a_large_change_already_coded_well_owes_nothing() -> None:
    """A flat colour filling the screen comes out of rate control as good as a refinement
    would make it: no refinement then, which would only delay the next change."""
    refiner = Refiner(SETTINGS)
    assert refiner.frame(1.0, now=1.0) is Pass.CHANGE
    refiner.coded(Pass.CHANGE, 55.0)
    assert refiner.due_in(2.0) is None


def test_changes_that_keep_coming_are_motion_with_the_wide_search() -> None:
    refiner = Refiner(SETTINGS)
    passes = [refiner.frame(0.9, now=1.0 + n / 30) for n in range(4)]
    assert passes == [Pass.CHANGE, Pass.CHANGE, Pass.MOTION, Pass.MOTION]
