"""How each picture is coded: small changes fine at once, motion by rate control and then
refined once the screen is still."""

from __future__ import annotations

from app.agent.refine import MotionBudget, Pass, Refiner, RefineSettings

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


def test_the_motion_budget_follows_the_link_down_and_back_up() -> None:
    budget = MotionBudget(6000, floor_kbps=500, recover_s=2.0)
    assert budget.fell_behind(now=10.0) == budget.base_crf + 2  # quality gives way at once
    assert budget.bitrate_kbps == 4200
    assert budget.fell_behind(now=10.1) is None and budget.bitrate_kbps == 4200  # same news
    for n in range(20):
        budget.fell_behind(now=11.0 + n)
    assert budget.bitrate_kbps == 500  # never below the floor
    budget.kept_up(now=31.5)
    assert budget.bitrate_kbps == 500  # not yet: kept up for less than recover_s
    for n in range(40):
        budget.kept_up(now=32.0 + 2 * n)
    assert budget.bitrate_kbps == 6000  # back to what the viewer asked for, not above


def test_the_motion_budget_moves_the_crf_with_the_bytes() -> None:
    budget = MotionBudget(1000, window_s=0.5)
    # 1000 kbit/s is 62.5 kB per half second: 30 frames of 5 kB in 0.5 s is four times that.
    raised = [budget.coded(5000, now=n / 60) for n in range(30)]
    assert budget.crf > budget.base_crf and any(crf is not None for crf in raised)
    for n in range(200):
        budget.coded(100, now=1.0 + n / 60)
    assert budget.crf == budget.base_crf  # back down once motion is cheap again


def test_changes_shown_by_fills_are_coded_once_the_screen_has_been_still_a_while() -> None:
    refiner = Refiner(SETTINGS)
    refiner.filled(now=1.0)
    refiner.filled(now=1.1)  # a person clicking on: nothing is coded meanwhile
    waiting = refiner.due_in(1.2)
    assert waiting is not None and abs(waiting - (SETTINGS.catch_up_s - 0.1)) < 1e-9
    assert refiner.refinement() is Pass.REFINE
    refiner.coded(Pass.REFINE, 60.0)
    assert refiner.due_in(3.0) is None


def test_a_frame_after_fills_covers_them() -> None:
    refiner = Refiner(SETTINGS)
    refiner.filled(now=1.0)
    assert refiner.frame(0.0004, now=1.2) is Pass.FINE
    refiner.coded(Pass.FINE, 49.0)
    assert refiner.due_in(3.0) is None


def test_a_fill_while_a_refinement_is_coded_is_owed_again() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(0.9, now=1.0)
    refiner.coded(Pass.CHANGE, 38.0)
    assert refiner.refinement() is Pass.REFINE  # taken by the encoder...
    refiner.filled(now=1.2)  # ... while a fill shows the next change
    refiner.coded(Pass.REFINE, 55.0)
    waiting = refiner.due_in(1.2)
    assert waiting is not None and abs(waiting - SETTINGS.catch_up_s) < 1e-9
    assert refiner.refinement() is Pass.REFINE


def test_on_a_slow_link_a_refinement_waits_for_true_stillness() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(0.6, now=1.0)
    refiner.coded(Pass.MOTION, 38.0)
    # The link would take 1 s for the refinement: the screen must be still that long.
    waiting = refiner.due_in(1.2, hold_s=1.0)
    assert waiting is not None and abs(waiting - 0.8) < 1e-9
    # The screen went on changing while the encoder was still sending (nothing coded):
    # not still, whatever was coded last.
    refiner.saw_change(1.5)
    waiting = refiner.due_in(1.6, hold_s=1.0)
    assert waiting is not None and abs(waiting - 0.9) < 1e-9
    assert refiner.due_in(2.5, hold_s=1.0) == 0.0


def test_a_preview_keyframe_is_refined_once_still_and_a_fine_one_is_not() -> None:
    refiner = Refiner(SETTINGS)
    refiner.frame(1.0, now=1.0)
    refiner.coded(Pass.PREVIEW, 41.0)  # a session's first picture, coded coarser
    assert refiner.due_in(1.2) == 0.0
    assert refiner.refinement() is Pass.REFINE
    refiner.coded(Pass.REFINE, 52.0)
    refiner.frame(1.0, now=2.0)
    refiner.coded(Pass.KEYFRAME, 46.6)  # asked for, at the settled quantiser: done
    assert refiner.due_in(2.2) is None
