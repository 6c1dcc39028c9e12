"""Record per-layer gradient statistics of any PyTorch model while it trains, for gradlab's lab.

    from gradlab_record import Recorder

    recorder = Recorder(model, "run.gradlab.jsonl", every=10)
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        recorder.step(loss)          # once per optimizer step, after optimizer.step()
    recorder.close()                 # or: with Recorder(...) as recorder: ...

Every `every` steps (step 0, every, 2·every, …) it writes one JSON line with, for each nn.Linear
and nn.Conv1d/2d/3d layer:

- gradNorm: ‖∂L/∂z‖, the gradient with respect to the layer's output z (the chapter's δ);
- weightGradNorm, weightNorm (and biasNorm): ‖∂L/∂W‖, ‖W‖, ‖b‖ (Frobenius norms);
- updateRatio: ‖ΔW‖/‖W‖, the optimizer step's change of W relative to W before it;
- inputMeanSquare: the mean of the layer input's squares (mean-field theory's ⟨x²⟩);
- activationMean, activationStd and a histogram of the activation that follows the layer;
- deadFraction: units whose activation is exactly 0 on every sample;
- saturatedFraction: (unit, sample) pairs with |φ'(z)| <= 1e-3 · sup|φ'|.

The file format is docs/run-format.md (format "gradlab-run", version 1). Needs only torch and
the standard library. Statistics are computed on the model's own device and reach the CPU in two
transfers per recorded step; hooks are attached only for the recorded steps.
"""

import datetime
import json
import math

import torch
from torch import nn

FORMAT = "gradlab-run"
VERSION = 1

#: The layers whose statistics are recorded.
LAYER_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)

#: Modules that may sit between a layer and its activation: they keep the shape and the units.
PASS_THROUGH_TYPES = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
)

#: Elementwise activation modules without parameters. Each one acts on every entry alone, so
#: autograd of Σφ(z) gives φ'(z) entry by entry.
ACTIVATION_TYPES = tuple(
    getattr(nn, name)
    for name in (
        "Sigmoid",
        "Tanh",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "GELU",
        "SiLU",
        "Softplus",
        "ReLU6",
        "Hardtanh",
        "Hardsigmoid",
        "Hardswish",
        "Mish",
        "SELU",
        "CELU",
        "Softsign",
        "LogSigmoid",
        "Tanhshrink",
    )
    if hasattr(nn, name)
)

#: A unit is saturated on a sample when |φ'(z)| <= SATURATION · sup|φ'| (gradlab's definition).
SATURATION = 1e-3


def gradlab_activation(module):
    """gradlab's name and α for an activation module, or (None, None) where gradlab has none."""
    if isinstance(module, nn.Sigmoid):
        return "sigmoid", None
    if isinstance(module, nn.Tanh):
        return "tanh", None
    if isinstance(module, nn.ReLU):
        return "relu", None
    if isinstance(module, nn.LeakyReLU):
        return "leaky_relu", float(module.negative_slope)
    if isinstance(module, nn.ELU):
        return "elu", float(module.alpha)
    if isinstance(module, nn.GELU):
        approximate = getattr(module, "approximate", "none")
        return ("gelu_tanh" if approximate == "tanh" else "gelu"), None
    if isinstance(module, nn.SiLU):
        return "silu", None
    # gradlab's softplus is ln(1 + eˣ); PyTorch's is linear above `threshold`, which differs by
    # less than 2e-9 relative for threshold >= 20 (the default).
    if isinstance(module, nn.Softplus) and module.beta == 1 and module.threshold >= 20:
        return "softplus", None
    return None, None


def slope(module, z):
    """φ'(z) entry by entry, by autograd through the module's own forward (hooks not called)."""
    with torch.enable_grad():
        leaf = z.detach().requires_grad_(True)
        # The clone lets in-place activations (ReLU(inplace=True)) work on a non-leaf tensor.
        (gradient,) = torch.autograd.grad(module.forward(leaf.clone()).sum(), leaf)
    return gradient


_MAX_SLOPES = {}


def max_slope(module):
    """sup|φ'| on [−50, 50], as gradlab measures it: a grid of 100 001 points, then a
    golden-section search around the largest value (smooth maxima such as GELU's lie between
    grid points).
    Computed once per kind of activation (its class and settings)."""
    key = (type(module), module.extra_repr())
    if key not in _MAX_SLOPES:
        _MAX_SLOPES[key] = _measure_max_slope(module)
    return _MAX_SLOPES[key]


def _measure_max_slope(module):
    with torch.no_grad():
        grid = torch.linspace(-50.0, 50.0, 100_001, dtype=torch.float64)
    values = slope(module, grid).abs()
    best = int(torch.argmax(values))
    value = float(values[best])
    lo, hi = float(grid[best]) - 1e-3, float(grid[best]) + 1e-3
    ratio = (math.sqrt(5) - 1) / 2

    def at(x):
        return abs(float(slope(module, torch.tensor([x], dtype=torch.float64))[0]))

    for _ in range(80):
        m1 = hi - ratio * (hi - lo)
        m2 = lo + ratio * (hi - lo)
        if at(m1) > at(m2):
            hi = m2
        else:
            lo = m1
    return max(value, at((lo + hi) / 2))


#: The per-layer statistics of a step line besides updateRatio and histogram, in file order.
STATISTICS = (
    "gradNorm",
    "weightGradNorm",
    "weightNorm",
    "biasNorm",
    "inputMeanSquare",
    "activationMean",
    "activationStd",
    "deadFraction",
    "saturatedFraction",
)


def to_list(tensors, join):
    """Tensors on one device as one list of floats, joined on the device (torch.stack for
    scalars, torch.cat for vectors), so that they cross to the CPU in one transfer."""
    if not tensors:
        return []
    devices = {t.device for t in tensors}
    device = tensors[0].device if len(devices) == 1 else torch.device("cpu")
    dtype = torch.float64 if device.type == "cpu" else torch.float32
    if len(devices) > 1 or len({t.dtype for t in tensors}) > 1:
        tensors = [t.to(device, dtype) for t in tensors]
    return join(tensors).tolist()


def json_number(value):
    """A float for the file: NaN and ±∞ as the strings "NaN", "Infinity", "-Infinity"."""
    if value is None:
        return None
    value = float(value)
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def unit_rows(tensor, channel_axis):
    """The tensor as units × samples: the units are the channels of a convolution (axis 1, or 0
    for an unbatched input) and the last axis of a Linear layer (channel_axis None)."""
    if channel_axis is None:
        return tensor.reshape(-1, tensor.shape[-1]).T
    return tensor.transpose(0, channel_axis).reshape(tensor.shape[channel_axis], -1)


def accumulator(tensor):
    """The dtype statistics of a tensor are computed in: float64 for float64 tensors, float32
    otherwise (half and bfloat16 are widened; float32 is summed as it is, since PyTorch's
    reductions sum in blocks and keep about float32's precision)."""
    return torch.float64 if tensor.dtype == torch.float64 else torch.float32


def widened(tensor):
    """The tensor in its accumulator dtype (itself, not a copy, where it already is)."""
    dtype = accumulator(tensor)
    return tensor if tensor.dtype == dtype else tensor.to(dtype)


class _LayerState:
    """One recorded layer: what the current recorded step has captured so far."""

    def __init__(self, name, module):
        self.name = name
        self.module = module
        # Convolutions: as many spatial axes as the kernel has; the channel axis follows the batch.
        self.spatial_axes = 0 if isinstance(module, nn.Linear) else len(module.kernel_size)
        self.index = None  # 1-based, in execution order, after the first recorded pass
        self.output_shape = None
        self.activation = None  # the activation module identified in the first pass
        self.activation_name = None
        self.via = []
        self.feeds_from_previous = None
        self.reset()

    def reset(self):
        self.forward_seen = False
        self.grad_seen = False
        self.weight_grad_seen = False
        self.weight_before = None
        # statistic -> 0-d tensor; "_histogram" -> (min, max, counts, non-finite count)
        self.values = {}
        self.fallback = None  # statistics of the layer's output, where no activation claims it


class Recorder:
    """Attaches hooks to a model and writes a gradlab run file while the model trains.

    Arguments:
        model: any torch.nn.Module.
        path: the JSON-lines file to write (an open text file also works).
        every: record steps 0, every, 2·every, … (step() counts the steps).
        bins: histogram bins per layer.
        total_steps: the number of steps planned, if known (written to the header).
        created: the header's timestamp (ISO 8601); now, by default.

    What one record describes: the first training pass (a forward with gradients enabled, and
    its backward) after the previous step() call; with gradient accumulation, the first
    micro-batch. A layer called several times in that pass is recorded at its first call. The
    update ratio compares W at that forward with W at step(), so call step() after
    optimizer.step().
    """

    def __init__(self, model, path, every=10, bins=32, total_steps=None, created=None):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every: got {every!r}; allowed: an integer >= 1")
        if not isinstance(bins, int) or not 2 <= bins <= 1024:
            raise ValueError(f"bins: got {bins!r}; allowed: an integer from 2 to 1024")
        if total_steps is not None and (not isinstance(total_steps, int) or total_steps < 1):
            raise ValueError(f"total_steps: got {total_steps!r}; allowed: None or an integer >= 1")
        self.model = model
        self.every = every
        self.bins = bins
        self.total_steps = total_steps
        self.created = created or datetime.datetime.now(datetime.timezone.utc).isoformat()
        self._owns_file = isinstance(path, (str, bytes)) or hasattr(path, "__fspath__")
        self._file = open(path, "w", encoding="utf-8") if self._owns_file else path
        self._step = 0
        self._records = 0
        self._header_written = False
        self._closed = False
        self._layers = [
            _LayerState(name, module)
            for name, module in model.named_modules()
            if isinstance(module, LAYER_TYPES)
        ]
        if not self._layers:
            raise ValueError("model: has no nn.Linear or nn.Conv1d/2d/3d layer to record")
        self._order = []  # layers in the order of their first call in the first recorded pass
        # Tensors produced in this pass by a layer (or a pass-through module after it), by id:
        # id -> (tensor, its version, layer state). Tensors are held so that ids stay unique.
        self._pending = {}
        # The last activation output (or layer output) of each layer, for feeds_from_previous.
        self._produced = {}
        self._claimed = {}  # activation module -> layer state, for the call in progress
        self._module_names = {module: name for name, module in model.named_modules()}
        # Hooks are attached only for the steps that are recorded: the others run as without a
        # recorder.
        self._handles = []
        self._attach()

    def _attach(self):
        if self._handles:
            return
        for state in self._layers:
            self._handles.append(state.module.register_forward_hook(self._layer_hook(state)))
            if state.module.weight.requires_grad:
                self._handles.append(
                    state.module.weight.register_hook(self._weight_grad_hook(state))
                )
        for module in self._module_names:
            if isinstance(module, ACTIVATION_TYPES):
                self._handles.append(module.register_forward_pre_hook(self._activation_pre_hook))
                self._handles.append(module.register_forward_hook(self._activation_hook))
            elif isinstance(module, PASS_THROUGH_TYPES):
                self._handles.append(module.register_forward_hook(self._pass_through_hook))

    def _detach(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    # -- when to capture -------------------------------------------------------------------

    def _recording(self):
        return self._step % self.every == 0 and torch.is_grad_enabled() and not self._closed

    def _first_pass(self):
        return not self._header_written

    # -- hooks -----------------------------------------------------------------------------

    def _layer_hook(self, state):
        def hook(module, inputs, output):
            if not self._recording() or state.forward_seen or not isinstance(output, torch.Tensor):
                return
            state.forward_seen = True
            x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
            if self._first_pass():
                state.index = len(self._order) + 1
                self._order.append(state)
                state.output_shape = list(output.shape)
                previous = self._order[-2] if len(self._order) > 1 else None
                produced = self._produced.get(previous) if previous else None
                state.feeds_from_previous = bool(
                    produced is not None
                    and x is produced[0]
                    and x._version == produced[1]
                )
            elif state.index is None:
                return  # not called in the first pass: not in the header, so not recorded
            with torch.no_grad():
                weight = module.weight.detach()
                state.weight_before = weight.clone()
                state.values["weightNorm"] = torch.linalg.vector_norm(widened(weight))
                if module.bias is not None:
                    bias = widened(module.bias.detach())
                    state.values["biasNorm"] = torch.linalg.vector_norm(bias)
                if x is not None:
                    wide = widened(x.detach())
                    state.values["inputMeanSquare"] = (wide * wide).mean()
                if self._first_pass() or state.activation is None:
                    state.fallback = self._activation_statistics(output, state)
            if output.requires_grad:
                output.register_hook(self._delta_hook(state))
            self._pending[id(output)] = (output, output._version, state)
            self._produced[state] = (output, output._version)

        return hook

    def _delta_hook(self, state):
        def hook(grad):
            # The forward is over: drop the references it kept.
            self._pending.clear()
            self._produced.clear()
            if state.grad_seen:
                return
            state.grad_seen = True
            with torch.no_grad():
                state.values["gradNorm"] = torch.linalg.vector_norm(widened(grad.detach()))

        return hook

    def _weight_grad_hook(self, state):
        def hook(grad):
            if not state.forward_seen or state.weight_grad_seen:
                return
            state.weight_grad_seen = True
            with torch.no_grad():
                state.values["weightGradNorm"] = torch.linalg.vector_norm(widened(grad.detach()))

        return hook

    def _source(self, tensor):
        """The layer whose output this tensor is, unchanged since, or None."""
        entry = self._pending.get(id(tensor))
        if entry is None or entry[0] is not tensor or entry[1] != tensor._version:
            return None
        return entry[2]

    def _pass_through_hook(self, module, inputs, output):
        if not self._recording() or not inputs or not isinstance(output, torch.Tensor):
            return
        state = self._source(inputs[0])
        if state is None:
            return
        if self._first_pass():
            state.via.append(self._module_names.get(module, type(module).__name__))
        self._pending[id(output)] = (output, output._version, state)
        self._produced[state] = (output, output._version)

    def _activation_pre_hook(self, module, inputs):
        if not self._recording() or not inputs:
            return
        state = self._source(inputs[0])
        if state is None or "activationMean" in state.values:
            return
        if self._first_pass():
            if state.activation is not None:
                return
            state.activation = module
            state.activation_name = self._module_names.get(module, type(module).__name__)
        elif state.activation is not module:
            return
        z = inputs[0].detach()
        if type(module) is nn.ReLU:
            # The most common case, without autograd: ReLU′(z) is 1 for z > 0 and 0 otherwise
            # (PyTorch's value at 0, and for NaN), so a pair is saturated where not z > 0.
            saturated = ~(z > 0)
        else:
            saturated = slope(module, z).abs() <= SATURATION * max_slope(module)
        with torch.no_grad():
            state.values["saturatedFraction"] = saturated.to(accumulator(z)).mean()
        self._claimed[module] = state

    def _activation_hook(self, module, inputs, output):
        state = self._claimed.pop(module, None)
        if state is None:
            return
        with torch.no_grad():
            state.values.update(self._activation_statistics(output, state))
        self._produced[state] = (output, output._version)

    def _activation_statistics(self, tensor, state):
        """Mean, population std, dead fraction and histogram of a layer's activation, computed
        on the tensor's device; on a GPU nothing here waits for it (no value is read back)."""
        values = tensor.detach()
        wide = widened(values)
        flat = wide.reshape(-1)
        mean = flat.mean()
        centered = flat - mean
        channel_axis = None
        if state.spatial_axes:
            channel_axis = 0 if values.dim() == state.spatial_axes + 1 else 1
        dead = (unit_rows(values, channel_axis) == 0).all(dim=1)
        return {
            "activationMean": mean,
            "activationStd": (torch.dot(centered, centered) / max(flat.numel(), 1)).sqrt(),
            "deadFraction": dead.to(wide.dtype).mean(),
            "_histogram": self._histogram(flat) if flat.numel() else None,
        }

    def _histogram(self, flat):
        """(min, max, counts, non-finite count) of the finite values: `bins` equal bins from the
        smallest to the largest, as gradlab bins its own activations."""
        dtype = flat.dtype
        if flat.device.type == "cpu":
            # On the CPU, reading min and max costs nothing: without NaN or ±∞ (the usual case)
            # torch.histc does the binning in one pass.
            lo, hi = torch.aminmax(flat)
            if math.isfinite(lo) and math.isfinite(hi):
                if hi > lo:
                    counts = torch.histc(flat, bins=self.bins, min=float(lo), max=float(hi))
                else:
                    counts = torch.zeros(self.bins, dtype=dtype)
                    counts[0] = flat.numel()
                return lo, hi, counts, torch.zeros((), dtype=dtype)
        finite = torch.isfinite(flat)
        lo = torch.where(finite, flat, math.inf).min()
        hi = torch.where(finite, flat, -math.inf).max()
        # gradlab's binning (pass-rows.ts): bin = ⌊(v/2 − lo/2)·bins/(hi/2 − lo/2)⌋, the halves
        # keeping hi − lo from overflowing; a range below 2⁻⁶⁴ (or none) puts everything in bin 0.
        half = hi / 2 - lo / 2
        scale = torch.where(half >= 2.0**-64, self.bins / half, torch.zeros_like(half))
        position = torch.nan_to_num((flat / 2 - lo / 2) * scale, nan=0.0, posinf=0.0, neginf=0.0)
        bins = position.floor().clamp_(0, self.bins - 1).to(torch.long)
        counts = torch.zeros(self.bins, dtype=dtype, device=flat.device)
        counts.scatter_add_(0, bins, finite.to(dtype))
        return lo, hi, counts, flat.numel() - finite.sum().to(dtype)

    # -- writing ---------------------------------------------------------------------------

    def _write(self, obj):
        self._file.write(json.dumps(obj, separators=(",", ":"), allow_nan=False))
        self._file.write("\n")
        self._file.flush()

    def _header(self):
        layers = []
        for state in self._order:
            module = state.module
            entry = {
                "index": state.index,
                "name": state.name,
                "type": type(module).__name__,
                "weightShape": list(module.weight.shape),
                "bias": module.bias is not None,
                "outputShape": state.output_shape,
            }
            if isinstance(module, nn.Linear):
                entry["inFeatures"] = module.in_features
                entry["outFeatures"] = module.out_features
            else:
                entry["inChannels"] = module.in_channels
                entry["outChannels"] = module.out_channels
                entry["kernelSize"] = list(module.kernel_size)
                entry["stride"] = list(module.stride)
                entry["padding"] = (
                    module.padding if isinstance(module.padding, str) else list(module.padding)
                )
                entry["groups"] = module.groups
            if state.activation is not None:
                name, alpha = gradlab_activation(state.activation)
                entry["activation"] = {
                    "type": type(state.activation).__name__,
                    "name": state.activation_name,
                    "gradlab": name,
                    "alpha": alpha,
                    "maxSlope": max_slope(state.activation),
                    "via": state.via,
                }
            else:
                entry["activation"] = None
            entry["feedsFromPrevious"] = state.feeds_from_previous if state.index > 1 else None
            layers.append(entry)
        unused = [state.name for state in self._layers if state.index is None]
        self._write(
            {
                "format": FORMAT,
                "version": VERSION,
                "created": self.created,
                "torch": torch.__version__,
                "model": type(self.model).__name__,
                "steps": {"first": 0, "every": self.every, "total": self.total_steps},
                "bins": self.bins,
                "saturation": SATURATION,
                "layers": layers,
                "unused": unused,
            }
        )
        self._header_written = True

    def _record(self, loss):
        # Every value computed on the device reaches the CPU in two transfers: one for the
        # scalars, one for the histogram counts.
        scalars, counts, layouts = [], [], []
        for state in self._order:
            values = {**(state.fallback or {}), **state.values}
            if state.weight_before is not None:
                with torch.no_grad():
                    change = state.module.weight.detach() - state.weight_before
                    values["_change"] = torch.linalg.vector_norm(widened(change))
            histogram = values.pop("_histogram", None)
            keys = [key for key, value in values.items() if isinstance(value, torch.Tensor)]
            scalars.extend(values[key] for key in keys)
            if histogram is not None:
                lo, hi, bin_counts, non_finite = histogram
                scalars.extend((lo, hi, non_finite))
                counts.append(bin_counts)
            layouts.append((keys, histogram is not None))
        scalar_values = iter(to_list(scalars, torch.stack))
        count_values = iter(to_list(counts, torch.cat))

        records = []
        for keys, has_histogram in layouts:
            numbers = {key: next(scalar_values) for key in keys}
            histogram = None
            if has_histogram:
                lo, hi, non_finite = next(scalar_values), next(scalar_values), next(scalar_values)
                # No finite value: lo = +∞ > hi = −∞, and the histogram has no range.
                histogram = {
                    "min": json_number(lo) if lo <= hi else None,
                    "max": json_number(hi) if lo <= hi else None,
                    "counts": [int(round(next(count_values))) for _ in range(self.bins)],
                    "nonFinite": int(round(non_finite)),
                }
            weight_norm = numbers.get("weightNorm")
            change = numbers.get("_change")
            ratio = None
            if change is not None and weight_norm is not None:
                ratio = change / weight_norm if weight_norm != 0 else math.inf
            record = {key: json_number(numbers.get(key)) for key in STATISTICS}
            record["updateRatio"] = json_number(ratio)
            record["histogram"] = histogram
            records.append(record)
        line = {"type": "step", "step": self._step, "layers": records}
        if loss is not None:
            line["loss"] = json_number(float(loss))
        self._write(line)
        self._records += 1

    # -- the public interface ---------------------------------------------------------------

    def step(self, loss=None):
        """Marks the end of one training step (call it after optimizer.step()). On a recorded
        step, writes its line; `loss` (a number or a 0-d tensor) is written with it."""
        if self._closed:
            raise RuntimeError("step: the recorder is closed")
        if self._step % self.every == 0 and self._order:
            if not self._header_written:
                self._header()
            self._record(loss)
        elif self._step % self.every == 0 and not self._header_written:
            raise RuntimeError(
                "step: no recorded layer ran a forward pass with gradients enabled since the "
                "last step(); call step() once per training step, after optimizer.step()"
            )
        for state in self._layers:
            state.reset()
        self._pending.clear()
        self._produced.clear()
        self._claimed.clear()
        self._step += 1
        if self._step % self.every == 0:
            self._attach()
        else:
            self._detach()

    def close(self):
        """Writes the end line, removes every hook and closes the file. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._detach()
        if self._header_written:
            self._write({"type": "end", "steps": self._step, "records": self._records})
        if self._owns_file:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
