"""The viewport: letterbox fit, widget px ↔ normalised remote coordinates, zoom and pan with
clamping, and the rectangle the renderer draws into."""

from __future__ import annotations

import pytest

from app.viewer.core.viewport import Rect, Viewport


@pytest.mark.parametrize(
    ("widget", "remote", "rect"),
    [
        # 16:9 remote in a 4:3 widget: bars above and below.
        ((800, 600), (1920, 1080), Rect(0, 75, 800, 450)),
        # 4:3 remote in a 16:9 widget: bars left and right.
        ((1600, 900), (1024, 768), Rect(200, 0, 1200, 900)),
        # Same aspect ratio: no bars, just scaled.
        ((960, 540), (1920, 1080), Rect(0, 0, 960, 540)),
        # A portrait tablet showing a landscape desktop.
        ((768, 1024), (1280, 800), Rect(0, 272, 768, 480)),
        # A small remote screen is magnified to fit, not shown at 1:1.
        ((1000, 1000), (500, 250), Rect(0, 250, 1000, 500)),
    ],
)
def test_letterbox_fit_keeps_the_aspect_ratio_centred(
    widget: tuple[int, int], remote: tuple[int, int], rect: Rect
) -> None:
    viewport = Viewport(*widget, *remote)
    assert viewport.target_rect() == pytest.approx(rect)
    assert not viewport.zoomed


def test_mapping_removes_the_letterbox() -> None:
    viewport = Viewport(800, 600, 1920, 1080)  # image at y 75..525
    assert viewport.to_remote(0, 75) == (0.0, 0.0)
    assert viewport.to_remote(800, 525) == (1.0, 1.0)
    assert viewport.to_remote(400, 300) == (0.5, 0.5)
    assert viewport.to_remote(200, 187.5) == (0.25, 0.25)


def test_touches_on_the_bars_clamp_to_the_nearest_edge() -> None:
    viewport = Viewport(1600, 900, 1024, 768)  # image at x 200..1400
    assert viewport.to_remote(50, 450) == (0.0, 0.5)
    assert viewport.to_remote(1590, 450) == (1.0, 0.5)
    assert viewport.to_remote(-500, -500) == (0.0, 0.0)
    assert viewport.to_remote(5000, 5000) == (1.0, 1.0)


def test_to_widget_is_the_inverse_inside_the_image() -> None:
    viewport = Viewport(800, 600, 1920, 1080).zoom_about(300, 200, 2.5)
    for x, y in [(0.1, 0.2), (0.5, 0.5), (0.9, 0.7)]:
        assert viewport.to_remote(*viewport.to_widget(x, y)) == pytest.approx((x, y))


def test_zoom_keeps_the_point_under_the_centre_of_zoom() -> None:
    viewport = Viewport(1000, 500, 2000, 1000)
    zoomed = viewport.zoom_about(250, 125, 2.0)
    assert zoomed.zoom == 2.0
    assert zoomed.zoomed
    assert zoomed.to_remote(250, 125) == pytest.approx((0.25, 0.25))
    assert zoomed.target_rect() == pytest.approx(Rect(-250, -125, 2000, 1000))


def test_zoom_is_clamped_to_its_range() -> None:
    viewport = Viewport(1000, 500, 2000, 1000)
    assert viewport.zoom_about(500, 250, 100.0).zoom == 5.0
    assert viewport.zoom_about(500, 250, 100.0, max_zoom=3.0).zoom == 3.0
    assert viewport.zoom_about(500, 250, 0.1).zoom == 1.0
    assert viewport.zoom_about(500, 250, 3.0).zoom_about(500, 250, 0.01) == viewport


def test_zooming_near_an_edge_clamps_the_pan_to_the_image() -> None:
    viewport = Viewport(1000, 500, 2000, 1000)
    # About the top-left corner: the image cannot move right/down of the widget's corner.
    zoomed = viewport.zoom_about(0, 0, 2.0)
    assert zoomed.target_rect() == pytest.approx(Rect(0, 0, 2000, 1000))
    zoomed = viewport.zoom_about(1000, 500, 2.0)
    assert zoomed.target_rect() == pytest.approx(Rect(-1000, -500, 2000, 1000))


def test_pan_moves_the_image_with_the_finger_and_stops_at_the_edges() -> None:
    zoomed = Viewport(1000, 500, 2000, 1000).zoom_about(500, 250, 2.0)  # rect -500,-250
    assert zoomed.pan_by(100, -50).target_rect() == pytest.approx(Rect(-400, -300, 2000, 1000))
    assert zoomed.pan_by(10_000, 10_000).target_rect() == pytest.approx(Rect(0, 0, 2000, 1000))
    assert zoomed.pan_by(-10_000, -10_000).target_rect() == pytest.approx(
        Rect(-1000, -500, 2000, 1000)
    )


def test_pan_does_nothing_when_not_zoomed() -> None:
    viewport = Viewport(800, 600, 1920, 1080)
    assert viewport.pan_by(120, 80) == viewport


def test_an_axis_with_bars_stays_centred_while_the_other_pans() -> None:
    # 16:9 in 4:3 at zoom 1.2: the image is 960 wide (pans) but 540 tall (< 600, centred).
    viewport = Viewport(800, 600, 1920, 1080).zoom_about(400, 300, 1.2)
    panned = viewport.pan_by(50, 200)
    assert panned.target_rect() == pytest.approx(Rect(-30, 30, 960, 540))


def test_resizing_keeps_the_zoomed_spot_in_the_middle() -> None:
    viewport = Viewport(1000, 500, 2000, 1000).zoom_about(400, 200, 3.0)
    centre = viewport.to_remote(500, 250)
    resized = viewport.with_widget_size(1200, 600)
    assert resized.to_remote(600, 300) == pytest.approx(centre)
    assert resized.with_remote_size(1000, 500).zoom == 3.0
    assert resized.reset_zoom() == Viewport(1200, 600, 2000, 1000)


def test_construction_clamps_and_rejects_nonsense() -> None:
    clamped = Viewport(1000, 500, 2000, 1000, zoom=0.5, centre_x=-3.0, centre_y=9.0)
    assert (clamped.zoom, clamped.centre_x, clamped.centre_y) == (1.0, 0.5, 0.5)
    with pytest.raises(ValueError):
        Viewport(0, 500, 2000, 1000)
    with pytest.raises(ValueError):
        Viewport(1000, 500, 2000, 1000, zoom=float("nan"))
