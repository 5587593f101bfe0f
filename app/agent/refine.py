"""How each frame of a desktop is coded: the decisions, with no encoder and no clock of
their own (the session passes the time in), so they are tested on their own.

The passes:

- ``FINE``: a fine quantiser chosen here. Small changes (a keystroke, a caret, a menu
  item) are coded this way at once: they cost what they change (x264 skips every block
  that did not), and nothing needs refining afterwards.
- ``CHANGE``: x264's rate control, within the bitrate, with a quick motion search: a large
  change on its own (a window opening, a page loading). Lossy, and fast to code: what
  glass-to-glass latency is measured on.
- ``MOTION``: the same, with a wide motion search: changes that keep coming (scrolling,
  video, a window being dragged), where finding the motion is what keeps them cheap.
- ``REFINE``: once motion has stopped for ``settle_s``, the same picture again, at the
  settled quantiser. Where it changed nothing, x264 skips; where motion left it lossy,
  this corrects it.
  If x264 reports the result still short of ``good_psnr_db`` (a P-frame corrects only what
  the prediction lets it), one more pass as an intra picture (``REFINE_INTRA``) makes the
  whole picture fine; motion that was coded very coarsely (video) gets that one at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum


class Pass(Enum):
    FINE = "fine"
    CHANGE = "change"
    MOTION = "motion"
    REFINE = "refine"
    REFINE_INTRA = "refine-intra"
    KEYFRAME = "keyframe"
    #: A keyframe coded coarser, before the link is known (a session's first picture):
    #: refined like a change once the screen is still.
    PREVIEW = "preview"


@dataclass(frozen=True)
class RefineSettings:
    #: Quantisers (x264, 8-bit: 0 is lossless, 51 the coarsest), chosen by measurement (see
    #: README): small changes at ``fine_qp`` (text at 50 dB RGB PSNR, a typed character
    #: about 200 B at any size); keyframes and refinements at ``settled_qp``, which keeps a
    #: whole desktop with a photo at 1920x1080 above 45 dB (QP 16 left it at 43.5).
    fine_qp: int = 16
    settled_qp: int = 12
    #: A change no larger than this share of the screen is always coded fine (typing).
    tiny_share: float = 0.005
    #: Up to this share, coded fine unless the screen is in motion.
    small_share: float = 0.10
    #: In motion: this many changed frames within ``motion_window_s``.
    motion_frames: int = 3
    motion_window_s: float = 0.25
    #: Stillness after motion before the refinement pass.
    settle_s: float = 0.12
    #: Stillness after changes that fills showed exactly (and no frame coded since)
    #: before a refinement tells the encoder, and a recording, about them. Nothing on the
    #: viewer waits for it, so it waits longer, not to take the CPU from a person clicking
    #: on: a full-screen encode and its decode are 15-20 ms of both cores at 1080p.
    catch_up_s: float = 1.0
    #: A refinement whose PSNR (as x264 measures it, over YUV: about 6 dB above RGB PSNR on
    #: desktops) is below this is followed by an intra one.
    good_psnr_db: float = 50.0
    #: Motion coded below this PSNR (video, mostly) is refined as an intra picture at once:
    #: a P pass over so coarse a picture costs almost as much and leaves it short anyway.
    intra_below_db: float = 36.0


class Refiner:
    def __init__(self, settings: RefineSettings | None = None) -> None:
        self.settings = settings or RefineSettings()
        self._changes: deque[float] = deque(maxlen=self.settings.motion_frames)
        #: What the picture still needs: None (it is fine), REFINE or REFINE_INTRA.
        self._owed: Pass | None = None
        #: Fills showed changes that no frame coded yet (see catch_up_s).
        self._fills_uncoded = False
        self._last_change = 0.0

    def frame(self, changed_share: float, now: float) -> Pass:
        """How to code a picture that changed on ``changed_share`` of the screen."""
        self._changes.append(now)
        self._last_change = now
        self._fills_uncoded = False  # this frame covers them
        settings = self.settings
        in_motion = (
            len(self._changes) == settings.motion_frames
            and now - self._changes[0] <= settings.motion_window_s
        )
        if changed_share <= settings.tiny_share:
            return Pass.FINE
        if not in_motion:
            return Pass.FINE if changed_share <= settings.small_share else Pass.CHANGE
        return Pass.MOTION

    def saw_change(self, now: float) -> None:
        """The screen was grabbed changed (coded or not yet: on a slow link the encoder may
        still be sending the frame before): it is not still, whatever was coded."""
        self._last_change = max(self._last_change, now)

    def filled(self, now: float) -> None:
        """A change was shown exactly by fills; its frame is left to the next one, or to
        a refinement (which codes the picture as it is then) once the screen has been
        still for ``catch_up_s``."""
        self._changes.append(now)
        self._last_change = now
        self._fills_uncoded = True

    def coded(self, done: Pass, psnr_db: float | None) -> None:
        """A picture was coded this way (x264's PSNR of it, when known)."""
        if done in (Pass.CHANGE, Pass.MOTION, Pass.PREVIEW):
            if psnr_db is not None and psnr_db >= self.settings.good_psnr_db:
                return  # simple content (a flat colour): already as good as a refinement
            coarse = psnr_db is not None and psnr_db < self.settings.intra_below_db
            if self._owed is not Pass.REFINE_INTRA:
                self._owed = Pass.REFINE_INTRA if coarse else Pass.REFINE
        elif done is Pass.REFINE:
            short = psnr_db is not None and psnr_db < self.settings.good_psnr_db
            self._owed = Pass.REFINE_INTRA if short else None
        elif done in (Pass.REFINE_INTRA, Pass.KEYFRAME):
            self._owed = None
        # FINE: what it changed is fine; anything owed before is still owed.

    def due_in(self, now: float, hold_s: float = 0.0) -> float | None:
        """Seconds until a refinement pass is due (0: now), or None if none is owed.
        ``hold_s``: the screen must have been still at least this long (a slow link: a
        refinement is a large frame, which would hold up the changes coming after it)."""
        if self._owed is not None:
            settle_s = self.settings.settle_s
        elif self._fills_uncoded:
            settle_s = self.settings.catch_up_s
        else:
            return None
        return max(0.0, self._last_change + max(settle_s, hold_s) - now)

    def refinement(self) -> Pass | None:
        """The pass owed (None: none is), to run once ``due_in`` reached 0. It codes the
        picture as it is, fills included: a fill after this call is owed again."""
        owed = self._owed or (Pass.REFINE if self._fills_uncoded else None)
        self._fills_uncoded = False
        return owed


class MotionBudget:
    """Keeps motion within the bitrate by moving x264's constant-quality factor (CRF):
    up when the motion of the last ``window_s`` cost more than the bitrate, back down when
    it cost less than half. x264's own cap (the VBV) is not used: it also re-quantises the
    fine frames, finer and finer while the screen is still, so that a keystroke grew to
    2-6 kB.

    The bitrate itself follows the link: when a frame could not be sent at once (the
    viewer or the network behind it fell behind), it drops to 70 % (not below
    ``floor_kbps``) and the CRF rises at once; each ``recover_s`` the viewer keeps up, it
    climbs back by 15 %, up to the cap the viewer asked for."""

    def __init__(
        self,
        bitrate_kbps: int,
        *,
        base_crf: float = 26.0,
        window_s: float = 0.5,
        floor_kbps: int = 500,
        recover_s: float = 2.0,
    ) -> None:
        self.cap_kbps = bitrate_kbps
        self.bitrate_kbps = bitrate_kbps
        self.base_crf = base_crf
        self.crf = base_crf
        self.max_crf = 40.0
        self.window_s = window_s
        self.floor_kbps = min(floor_kbps, bitrate_kbps)
        self.recover_s = recover_s
        self.backoff_s = 0.25
        self._sent: deque[tuple[float, int]] = deque(maxlen=256)
        self._moved = 0.0  # when the bitrate last moved

    def coded(self, size: int, now: float) -> float | None:
        """A motion frame of ``size`` bytes went out: the new CRF, if it should change."""
        self._sent.append((now, size))
        while self._sent and self._sent[0][0] < now - self.window_s:
            self._sent.popleft()
        kbps = sum(s for _, s in self._sent) * 8 / self.window_s / 1000
        if kbps > self.bitrate_kbps and self.crf < self.max_crf:
            return self._set_crf(self.crf + 2)
        if kbps < self.bitrate_kbps / 2 and self.crf > self.base_crf:
            return self._set_crf(self.crf - 1)
        return None

    def fell_behind(self, now: float) -> float | None:
        """A frame waited to be sent: a lower bitrate, and the new CRF (None: unchanged).
        At most once per ``backoff_s``: frames already on their way say the same thing."""
        recently = self._moved and now - self._moved < self.backoff_s
        if recently and self.bitrate_kbps < self.cap_kbps:
            return None
        self.bitrate_kbps = max(self.floor_kbps, int(self.bitrate_kbps * 0.7))
        self._moved = now
        return self._set_crf(self.crf + 2) if self.crf < self.max_crf else None

    def kept_up(self, now: float) -> None:
        """A frame went out at once."""
        if self.bitrate_kbps < self.cap_kbps and now - self._moved >= self.recover_s:
            self.bitrate_kbps = min(self.cap_kbps, int(self.bitrate_kbps * 1.15) + 1)
            self._moved = now

    def set_cap(self, bitrate_kbps: int) -> None:
        self.cap_kbps = self.bitrate_kbps = bitrate_kbps
        self.floor_kbps = min(self.floor_kbps, bitrate_kbps)

    def _set_crf(self, crf: float) -> float:
        self.crf = min(self.max_crf, max(self.base_crf, crf))
        return self.crf
