"""Live explorers (ipywidgets) for a running notebook.

Each explorer recomputes at once when a control changes (``observe``, never
``interact_manual``), using poolkit's fast public functions, and exposes its
state so a test (or a curious learner) can drive it from code:

``.controls``
    dict, name -> widget (set ``.value`` to move a slider).
``.result``
    the last computed output (an array, or a size), ``None`` when the
    settings are invalid.
``.message``
    the text shown under the figure: the output-size formula with the
    numbers filled in, or the library's own error message (never a traceback).
``.widget``
    the root box; displaying the explorer displays it.

Widgets need a kernel: on the static site, show a kernel-free form instead
(:func:`poolkit.course.animate.to_html`, :func:`poolkit.course.plot.show_pooling_grid`).
"""

from __future__ import annotations

import html
import io

from .deps import requires

with requires("poolkit.course.widgets"):
    import ipywidgets as W
    import numpy as np

    from poolkit.shapes import output_size

    from .grid import as_map, check_mode
    from .plot import pool_backward_map, pool_map, show_pooling, show_routing
    from .windows import windows_before_drop

__all__ = ["PoolingExplorer", "OutputSizeCalculator", "size_formula"]


def _fig_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, facecolor="white")
    return buf.getvalue()


def size_formula(size: int, kernel_size: int, stride: int, padding: int = 0, dilation: int = 1,
                 ceil_mode: bool = False, *, name: str = "out", size_name: str = "in") -> tuple[str, int]:
    """The output-size formula with the numbers filled in, and its value.

    The value is :func:`poolkit.output_size`'s; the text shows the steps.
    Invalid arguments raise the library's ``ValueError``/``TypeError``.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        One axis of the pooling.
    ceil_mode : bool
        Round up, then drop a last window that would start in the right padding.
    name, size_name : str, optional
        Symbols for the output and input sizes (e.g. ``"OH"``, ``"H"``).

    Returns
    -------
    (str, int)

    Examples
    --------
    >>> text, out = size_formula(5, 2, 2, 1, 1, True)
    >>> out
    3
    >>> print(text)
    out = ceil((in + 2p − d(k−1) − 1) / s) + 1 = ceil((5 + 2·1 − 1·(2−1) − 1) / 2) + 1 = 4; window 4 would start at 6 ≥ in + p = 6, in the right padding, so it is dropped: out = 3
    """
    out = output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      ceil_mode=ceil_mode)
    n, k, s, p, d = (int(v) for v in (size, kernel_size, stride, padding, dilation))
    rnd = "ceil" if ceil_mode else "floor"
    raw = windows_before_drop(n, k, s, p, d, ceil_mode)
    text = (f"{name} = {rnd}(({size_name} + 2p − d(k−1) − 1) / s) + 1 = "
            f"{rnd}(({n} + 2·{p} − {d}·({k}−1) − 1) / {s}) + 1 = {raw}")
    if ceil_mode and raw != out:
        start = (raw - 1) * s
        text += (f"; window {raw} would start at {start} ≥ {size_name} + p = {n + p}, in the right "
                 f"padding, so it is dropped: {name} = {out}")
    return text, int(out)


class _Explorer:
    """Shared plumbing: controls, observe, display."""

    controls: dict
    widget: W.Widget

    def __init__(self) -> None:
        self.result = None
        self.message = ""
        self._hold = False

    def _watch(self) -> None:
        for c in self.controls.values():
            c.observe(self._on_change, names="value")

    def _on_change(self, change=None) -> None:
        if not self._hold:
            self.update()

    def set(self, **values) -> None:
        """Set several controls at once, then recompute once.

        Examples
        --------
        ``explorer.set(kernel_size=3, stride=1, padding=1)``
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; the controls are {sorted(self.controls)}")
        self._hold = True
        try:
            for k, v in values.items():
                self.controls[k].value = v
        finally:
            self._hold = False
        self.update()

    def update(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    #: What the explorer is, for the text shown where its controls cannot be drawn.
    _what = "live explorer"

    def fallback_text(self) -> str:
        """What a notebook shows before the explorer's cell is run (no live widget yet)."""
        return (f"{type(self).__name__}: a {self._what} with sliders. It needs a running kernel: "
                "run this cell (Shift+Enter) to get its controls.")

    def _fallback_html(self) -> str:
        preview = ""
        png = getattr(getattr(self, "image", None), "value", b"")
        if png:
            import base64

            preview = ('<br><img alt="The explorer\'s figure for its default settings" style="max-width:100%" '
                       f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')
        return f'<div class="pk-explorer-fallback"><b>{html.escape(self.fallback_text())}</b>{preview}</div>'

    def _ipython_display_(self) -> None:
        """Display the live widget, with a readable stand-in for where it cannot be drawn.

        A notebook opened but not run (or not trusted) has no widget model: JupyterLab
        then shows the plain-text or HTML form of the output, which is here a sentence
        saying to run the cell (and a preview of the figure), not ``VBox(children=...)``.
        """
        from IPython.display import display

        bundle = self.widget._repr_mimebundle_()
        data = dict(bundle[0]) if isinstance(bundle, tuple) else dict(bundle)
        data["text/plain"] = self.fallback_text()
        data["text/html"] = self._fallback_html()
        display(data, raw=True)


class PoolingExplorer(_Explorer):
    """Explore 2-D pooling live: sliders for the window, the output and its formula.

    Controls (keys of :attr:`controls`): ``kernel_size``, ``stride``,
    ``padding``, ``dilation`` (sliders), ``ceil_mode`` (checkbox), ``mode``
    (``"max"`` / ``"avg"``, shown as max / mean), ``count_include_pad``
    (average pooling only) and ``show_gradient`` (draw the backward routing
    instead of the windows).

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        The map to pool; default :func:`poolkit.course.data.running_example`.
    kernel_size, stride, padding, dilation, ceil_mode, mode
        Initial settings.

    Attributes
    ----------
    controls : dict
        Control name -> widget (set its ``.value`` to move a slider).
    result : numpy.ndarray or None
        The pooled output for the current settings (``None`` if invalid).
    grad_x : numpy.ndarray or None
        The input gradient when ``show_gradient`` is on (upstream gradient
        ``1, 2, 3, ...``), else ``None``.
    message : str
        The formula with numbers, or ``"Invalid settings: <library message>"``.

    Examples
    --------
    >>> ex = PoolingExplorer()
    >>> ex.result.tolist()
    [[6.0, 7.0], [8.0, 3.0]]
    >>> ex.controls["padding"].value = 2
    >>> ex.result is None, "padding" in ex.message
    (True, True)
    """

    def __init__(self, x=None, *, kernel_size: int = 2, stride: int = 2, padding: int = 0,
                 dilation: int = 1, ceil_mode: bool = False, mode: str = "max") -> None:
        super().__init__()
        if x is None:
            from .data import running_example

            x = running_example()
        self.x = as_map(x)
        mode = check_mode(mode)
        h, w = self.x.shape
        kmax = max(2, min(max(h, w), 6))
        style = {"description_width": "7em"}
        layout = W.Layout(width="18em")
        self.controls = {
            "kernel_size": W.IntSlider(value=kernel_size, min=1, max=kmax, description="kernel size k",
                                       style=style, layout=layout, continuous_update=False),
            "stride": W.IntSlider(value=stride, min=1, max=max(4, kmax), description="stride s",
                                  style=style, layout=layout, continuous_update=False),
            "padding": W.IntSlider(value=padding, min=0, max=3, description="padding p",
                                   style=style, layout=layout, continuous_update=False),
            "dilation": W.IntSlider(value=dilation, min=1, max=3, description="dilation d",
                                    style=style, layout=layout, continuous_update=False),
            "ceil_mode": W.Checkbox(value=ceil_mode, description="ceil mode", indent=False),
            "mode": W.ToggleButtons(options=[("max", "max"), ("mean", "avg")], value=mode,
                                    description="pooling", style={"button_width": "5em"}),
            "count_include_pad": W.Checkbox(value=True, description="count padding in the mean",
                                            indent=False),
            "show_gradient": W.Checkbox(value=False, description="show gradient routing", indent=False),
        }
        self.grad_x = None
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.text = W.HTML()
        c = self.controls
        left = W.VBox([c["kernel_size"], c["stride"], c["padding"], c["dilation"]])
        right = W.VBox([c["mode"], c["ceil_mode"], c["count_include_pad"], c["show_gradient"]])
        self.widget = W.VBox([W.HBox([left, right]), self.image, self.text])
        self._watch()
        self.update()

    def settings(self) -> dict:
        """The current settings as keyword arguments for poolkit."""
        c = self.controls
        mode = c["mode"].value
        kw = {
            "kernel_size": c["kernel_size"].value,
            "stride": c["stride"].value,
            "padding": c["padding"].value,
            "ceil_mode": c["ceil_mode"].value,
            "mode": mode,
        }
        if mode == "max":
            kw["dilation"] = c["dilation"].value
        else:
            kw["count_include_pad"] = c["count_include_pad"].value
        return kw

    def update(self) -> None:
        """Recompute the output, the figure and the message from the controls."""
        c = self.controls
        is_max = c["mode"].value == "max"
        # Controls that do nothing in the current mode are disabled, not hidden.
        c["dilation"].disabled = not is_max
        c["count_include_pad"].disabled = is_max
        kw = self.settings()
        try:
            out, _, geom = pool_map(self.x, **kw)
            if c["show_gradient"].value:
                fig = show_routing(self.x, None, **kw)
                self.grad_x = self._grad(kw, out.shape)
            else:
                fig = show_pooling(self.x, **kw)
                self.grad_x = None
            png = _fig_png(fig)
            h, w = self.x.shape
            lines = []
            for name, size_name, n, axis in (("OH", "H", h, 0), ("OW", "W", w, 1)):
                text, _ = size_formula(n, geom.kernel[axis], geom.stride[axis], geom.padding[axis],
                                       geom.dilation[axis], kw["ceil_mode"], name=name, size_name=size_name)
                lines.append(text)
            if not is_max and c["dilation"].value != 1:
                lines.append("(average pooling has no dilation: d = 1 is used)")
            self.result = out
            self.message = "\n".join(lines)
            self.image.value = png
            self.text.value = "<br>".join(f"<code>{html.escape(t)}</code>" for t in lines)
        except (ValueError, TypeError) as exc:
            self._show_error(f"Invalid settings: {exc}")
        except Exception as exc:  # never a traceback in the explorer
            self._show_error(f"Could not compute this ({type(exc).__name__}: {exc})")

    def _grad(self, kw, out_shape):
        g = np.arange(1, out_shape[0] * out_shape[1] + 1, dtype=np.float64).reshape(out_shape)
        return pool_backward_map(self.x, g, **kw)

    def _show_error(self, text: str) -> None:
        self.result = None
        self.grad_x = None
        self.message = text
        self.image.value = b""
        self.text.value = f'<span style="color:#b35900"><b>{html.escape(text)}</b></span>'

    def figure(self):
        """The current figure (closed, for saving or displaying), or ``None`` if invalid."""
        kw = self.settings()
        try:
            if self.controls["show_gradient"].value:
                return show_routing(self.x, None, **kw)
            return show_pooling(self.x, **kw)
        except (ValueError, TypeError):
            return None


class OutputSizeCalculator(_Explorer):
    """Output size of a pooling layer, with the formula and the numbers.

    Controls: ``height``, ``width``, ``kernel_size``, ``stride``,
    ``padding``, ``dilation`` (integer boxes and sliders) and ``ceil_mode``.
    :attr:`result` is ``(OH, OW)`` from :func:`poolkit.output_size`, or
    ``None`` with the library's message when the settings are invalid.

    Parameters
    ----------
    height, width, kernel_size, stride, padding, dilation, ceil_mode
        Initial settings.

    Attributes
    ----------
    controls : dict
        Control name -> widget (set its ``.value`` to change a setting).
    result : tuple of int or None
        ``(OH, OW)`` for the current settings (``None`` if invalid).
    message : str
        The formulas with numbers, or ``"Invalid settings: <library message>"``.

    Examples
    --------
    >>> calc = OutputSizeCalculator()
    >>> calc.set(height=5, width=7, kernel_size=2, stride=2, padding=1, ceil_mode=True)
    >>> calc.result
    (3, 4)
    """

    _what = "live output-size calculator"

    def __init__(self, height: int = 4, width: int = 4, *, kernel_size: int = 2, stride: int = 2,
                 padding: int = 0, dilation: int = 1, ceil_mode: bool = False) -> None:
        super().__init__()
        style = {"description_width": "7em"}
        layout = W.Layout(width="18em")
        self.controls = {
            "height": W.BoundedIntText(value=height, min=1, max=4096, description="height H",
                                       style=style, layout=layout),
            "width": W.BoundedIntText(value=width, min=1, max=4096, description="width W",
                                      style=style, layout=layout),
            "kernel_size": W.IntSlider(value=kernel_size, min=1, max=11, description="kernel size k",
                                       style=style, layout=layout),
            "stride": W.IntSlider(value=stride, min=1, max=8, description="stride s", style=style,
                                  layout=layout),
            "padding": W.IntSlider(value=padding, min=0, max=6, description="padding p", style=style,
                                   layout=layout),
            "dilation": W.IntSlider(value=dilation, min=1, max=4, description="dilation d", style=style,
                                    layout=layout),
            "ceil_mode": W.Checkbox(value=ceil_mode, description="ceil mode", indent=False),
        }
        self.text = W.HTML()
        c = self.controls
        self.widget = W.VBox([
            W.HBox([W.VBox([c["height"], c["width"], c["ceil_mode"]]),
                    W.VBox([c["kernel_size"], c["stride"], c["padding"], c["dilation"]])]),
            self.text,
        ])
        self._watch()
        self.update()

    def update(self) -> None:
        """Recompute the size and the message from the controls."""
        c = {k: w.value for k, w in self.controls.items()}
        try:
            results, lines = [], []
            for name, size_name, key in (("OH", "H", "height"), ("OW", "W", "width")):
                text, out = size_formula(c[key], c["kernel_size"], c["stride"], c["padding"], c["dilation"],
                                         c["ceil_mode"], name=name, size_name=size_name)
                results.append(out)
                lines.append(text)
            self.result = tuple(results)
            lines.append(f"output: {results[0]} × {results[1]}")
            self.message = "\n".join(lines)
            self.text.value = "<br>".join(f"<code>{html.escape(t)}</code>" for t in lines)
        except (ValueError, TypeError) as exc:
            self._fail(f"Invalid settings: {exc}")
        except Exception as exc:  # never a traceback
            self._fail(f"Could not compute this ({type(exc).__name__}: {exc})")

    def _fail(self, text: str) -> None:
        self.result = None
        self.message = text
        self.text.value = f'<span style="color:#b35900"><b>{html.escape(text)}</b></span>'
