"""Checks gradlab_record on real torch models (Linear and Conv) against values computed directly.

Run from python/: python3 -m unittest test_gradlab_record   (needs torch;
scripts/make_torch_fixtures.py runs it before it records its fixtures).
"""

import copy
import io
import json
import math
import os
import sys
import tempfile
import unittest

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradlab_record  # noqa: E402
from gradlab_record import Recorder  # noqa: E402

torch.set_default_dtype(torch.float64)


def read_lines(text):
    return [json.loads(line) for line in text.splitlines()]


def record(model, steps, make_batch, every=1, lr=0.1, **options):
    """Trains `model` with SGD for `steps` steps under a Recorder; returns the file's lines."""
    out = io.StringIO()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    recorder = Recorder(model, out, every=every, created="test", **options)
    for step in range(steps):
        x, y = make_batch(step)
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).sum() / 2
        loss.backward()
        optimizer.step()
        recorder.step(loss)
    recorder.close()
    return read_lines(out.getvalue())


def close(testcase, actual, expected, rel=1e-12, what=""):
    testcase.assertTrue(
        math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-300),
        f"{what}: {actual!r} vs {expected!r}",
    )


class LinearModel(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = nn.Sequential(
            nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 3)
        )
        self.x = torch.randn(11, 5)
        self.y = torch.randn(11, 3)

    def expected(self):
        """One SGD step of a copy, with every statistic computed directly."""
        model = copy.deepcopy(self.model)
        linears = [model[0], model[2], model[4]]
        slopes = [lambda z: 1 - torch.tanh(z) ** 2, lambda z: (z > 0).to(z.dtype), None]
        acts = [model[1], model[3], None]
        before = [layer.weight.detach().clone() for layer in linears]
        bias_before = [layer.bias.detach().clone() for layer in linears]
        a, zs, outs, inputs = self.x, [], [], []
        for layer, act in zip(linears, acts):
            inputs.append(a)
            z = layer(a)
            z.retain_grad()
            zs.append(z)
            a = act(z) if act is not None else z
            outs.append(a)
        loss = ((a - self.y) ** 2).sum() / 2
        loss.backward()
        grads = [layer.weight.grad.clone() for layer in linears]
        torch.optim.SGD(model.parameters(), lr=0.1).step()
        layers = []
        for i, layer in enumerate(linears):
            out = outs[i].detach()
            entry = {
                "gradNorm": zs[i].grad.norm().item(),
                "weightGradNorm": grads[i].norm().item(),
                "weightNorm": before[i].norm().item(),
                "biasNorm": bias_before[i].norm().item(),
                "updateRatio": (
                    (layer.weight.detach() - before[i]).norm() / before[i].norm()
                ).item(),
                "inputMeanSquare": (inputs[i].detach() ** 2).mean().item(),
                "activationMean": out.mean().item(),
                "activationStd": out.std(unbiased=False).item(),
                "deadFraction": (out == 0).all(dim=0).double().mean().item(),
                "min": out.min().item(),
                "max": out.max().item(),
                "counts": torch.histc(out, bins=32, min=out.min().item(), max=out.max().item()),
            }
            if slopes[i] is not None:
                entry["saturatedFraction"] = (
                    (slopes[i](zs[i].detach()).abs() <= 1e-3).double().mean().item()
                )
            layers.append(entry)
        return loss.item(), layers

    def test_statistics_match_direct_computation(self):
        loss, expected = self.expected()
        lines = record(self.model, 1, lambda step: (self.x, self.y))
        header, step, end = lines
        self.assertEqual(header["format"], "gradlab-run")
        self.assertEqual(header["version"], 1)
        self.assertEqual([layer["type"] for layer in header["layers"]], ["Linear"] * 3)
        self.assertEqual(
            [l["activation"] and l["activation"]["gradlab"] for l in header["layers"]],
            ["tanh", "relu", None],
        )
        self.assertEqual([l["outputShape"] for l in header["layers"]], [[11, 7], [11, 6], [11, 3]])
        self.assertEqual([l["feedsFromPrevious"] for l in header["layers"]], [None, True, True])
        self.assertEqual(step["step"], 0)
        close(self, step["loss"], loss, what="loss")
        for i, (got, want) in enumerate(zip(step["layers"], expected)):
            for key in (
                "gradNorm",
                "weightGradNorm",
                "weightNorm",
                "biasNorm",
                "updateRatio",
                "inputMeanSquare",
                "activationMean",
                "activationStd",
                "deadFraction",
            ):
                close(self, got[key], want[key], what=f"layer {i + 1} {key}")
            if "saturatedFraction" in want:
                close(self, got["saturatedFraction"], want["saturatedFraction"], what="saturated")
            else:
                self.assertIsNone(got["saturatedFraction"])
            histogram = got["histogram"]
            self.assertEqual(len(histogram["counts"]), 32)
            self.assertEqual(sum(histogram["counts"]), 11 * header["layers"][i]["outFeatures"])
            self.assertEqual(histogram["counts"], [int(c) for c in want["counts"]])
            self.assertEqual(histogram["nonFinite"], 0)
            close(self, histogram["min"], want["min"], what="min")
            close(self, histogram["max"], want["max"], what="max")
        self.assertEqual(end, {"type": "end", "steps": 1, "records": 1})

    def test_every_n_steps(self):
        lines = record(self.model, 7, lambda step: (self.x, self.y), every=3, total_steps=7)
        header, *records, end = lines
        self.assertEqual(header["steps"], {"first": 0, "every": 3, "total": 7})
        self.assertEqual([r["step"] for r in records], [0, 3, 6])
        self.assertEqual(end, {"type": "end", "steps": 7, "records": 3})

    def test_hooks_only_on_recorded_steps(self):
        def hooks():
            return sum(
                len(m._forward_hooks) + len(m._forward_pre_hooks) for m in self.model.modules()
            )

        optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        recorder = Recorder(self.model, io.StringIO(), every=3)
        counts = []
        for _ in range(4):
            counts.append(hooks())
            loss = ((self.model(self.x) - self.y) ** 2).sum()
            loss.backward()
            optimizer.step()
            recorder.step(loss)
        recorder.close()
        # Steps 0 and 3 are recorded: 3 layers, 2 activations (pre and post hooks each).
        self.assertEqual(counts, [7, 0, 0, 7])
        self.assertEqual(hooks(), 0)

    def test_no_grad_passes_are_not_recorded(self):
        out = io.StringIO()
        optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
        recorder = Recorder(self.model, out, every=1, created="test")
        with torch.no_grad():
            self.model(torch.full((4, 5), 1e6))  # a validation pass with huge values
        loss = ((self.model(self.x) - self.y) ** 2).sum() / 2
        loss.backward()
        optimizer.step()
        recorder.step(loss)
        recorder.close()
        _, step, _ = read_lines(out.getvalue())
        self.assertLess(abs(step["layers"][0]["activationMean"]), 1)

    def test_detaches_cleanly(self):
        path = os.path.join(tempfile.mkdtemp(), "run.jsonl")
        hooks_before = sum(
            len(m._forward_hooks) + len(m._forward_pre_hooks) for m in self.model.modules()
        )
        recorder = Recorder(self.model, path, every=1)
        loss = ((self.model(self.x) - self.y) ** 2).sum()
        loss.backward()
        recorder.step(loss)
        recorder.close()
        recorder.close()  # twice is fine
        hooks_after = sum(
            len(m._forward_hooks) + len(m._forward_pre_hooks) for m in self.model.modules()
        )
        self.assertEqual(hooks_after, hooks_before)
        for layer in (self.model[0], self.model[2], self.model[4]):
            self.assertFalse(layer.weight._backward_hooks)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        # Training on after close() writes nothing more.
        loss = ((self.model(self.x) - self.y) ** 2).sum()
        loss.backward()
        with open(path, encoding="utf-8") as fh:
            self.assertEqual(fh.read(), text)
        self.assertEqual(read_lines(text)[-1]["type"], "end")
        with self.assertRaisesRegex(RuntimeError, "closed"):
            recorder.step()

    def test_non_finite_values_are_strings(self):
        model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
        with torch.no_grad():
            model[0].weight.fill_(1e308)
            model[2].weight.fill_(1.0)
        x = torch.ones(3, 2)
        lines = record(model, 1, lambda step: (x, torch.zeros(3, 1)), lr=0.0)
        layer = lines[1]["layers"][0]
        self.assertEqual(layer["activationMean"], "Infinity")
        self.assertEqual(
            layer["histogram"], {"min": None, "max": None, "counts": [0] * 32, "nonFinite": 6}
        )
        self.assertEqual(lines[1]["loss"], "Infinity")
        # The file is strict JSON: no bare NaN or Infinity.
        for line in lines:
            json.dumps(line, allow_nan=False)

    def test_histogram_paths_agree(self):
        # The CPU's one-pass histc (no NaN or ±∞) and the general path (any device, any values)
        # bin the same finite values alike.
        recorder = Recorder(self.model, io.StringIO())
        torch.manual_seed(3)
        values = torch.randn(50_000)
        lo, hi, counts, non_finite = recorder._histogram(values)
        with_bad = torch.cat([values, torch.tensor([math.nan, math.inf])])
        lo2, hi2, counts2, non_finite2 = recorder._histogram(with_bad)
        self.assertEqual((float(lo), float(hi)), (float(lo2), float(hi2)))
        self.assertEqual(counts.tolist(), counts2.tolist())
        self.assertEqual((float(non_finite), float(non_finite2)), (0.0, 2.0))
        self.assertEqual(sum(counts.tolist()), 50_000)
        recorder.close()

    def test_bad_arguments_name_the_field(self):
        with self.assertRaisesRegex(ValueError, "every: got 0"):
            Recorder(self.model, io.StringIO(), every=0)
        with self.assertRaisesRegex(ValueError, "bins: got 1"):
            Recorder(self.model, io.StringIO(), bins=1)
        with self.assertRaisesRegex(ValueError, "model: has no nn.Linear"):
            Recorder(nn.Tanh(), io.StringIO())
        recorder = Recorder(self.model, io.StringIO())
        with self.assertRaisesRegex(RuntimeError, "after optimizer.step"):
            recorder.step()


class ActivationIdentification(unittest.TestCase):
    def test_shared_inplace_activation_and_residual(self):
        class Residual(nn.Module):
            def __init__(self):
                super().__init__()
                self.inp = nn.Linear(4, 8)
                self.hidden = nn.Linear(8, 8)
                self.out = nn.Linear(8, 2)
                self.act = nn.ReLU(inplace=True)  # one module, used twice

            def forward(self, x):
                h = self.act(self.inp(x))
                h = h + self.act(self.hidden(h))  # a residual block
                return self.out(h)

        torch.manual_seed(1)
        model = Residual()
        x, y = torch.randn(9, 4), torch.randn(9, 2)
        copy_model = copy.deepcopy(model)
        header, step, _ = record(model, 1, lambda s: (x, y))
        self.assertEqual([l["name"] for l in header["layers"]], ["inp", "hidden", "out"])
        self.assertEqual(
            [l["activation"] and l["activation"]["name"] for l in header["layers"]],
            ["act", "act", None],
        )
        # hidden reads the activation of inp; out reads a sum, not an activation.
        self.assertEqual([l["feedsFromPrevious"] for l in header["layers"]], [None, True, False])
        # The activation of `hidden` is its ReLU output, not the residual sum.
        with torch.no_grad():
            first = torch.relu(copy_model.inp(x))
            second = torch.relu(copy_model.hidden(first))
        close(self, step["layers"][1]["activationMean"], second.mean().item(), what="mean")
        close(
            self,
            step["layers"][1]["deadFraction"],
            (second == 0).all(dim=0).double().mean().item(),
            what="dead",
        )

    def test_max_slope_as_gradlab_measures_it(self):
        cases = [
            (nn.Sigmoid(), 0.25),
            (nn.Tanh(), 1.0),
            (nn.ReLU(), 1.0),
            (nn.LeakyReLU(0.2), 1.0),
            (nn.ELU(alpha=2.0), 2.0),
            (nn.GELU(), 1.1289),
            (nn.SiLU(), 1.0998),
        ]
        for module, expected in cases:
            self.assertAlmostEqual(gradlab_record.max_slope(module), expected, places=4)

    def test_gradlab_names(self):
        name = gradlab_record.gradlab_activation
        self.assertEqual(name(nn.GELU(approximate="tanh")), ("gelu_tanh", None))
        self.assertEqual(name(nn.LeakyReLU(0.3)), ("leaky_relu", 0.3))
        self.assertEqual(name(nn.Softplus(beta=2)), (None, None))
        self.assertEqual(name(nn.Hardtanh()), (None, None))


class ConvModel(unittest.TestCase):
    def test_conv_layers_by_channel(self):
        torch.manual_seed(2)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.Conv2d(4, 3, 3),
            nn.Sigmoid(),
            nn.Flatten(),
            nn.Linear(3 * 4 * 4, 2),
        )
        x, y = torch.randn(5, 1, 6, 6), torch.randn(5, 2)
        reference = copy.deepcopy(model)
        header, step, _ = record(model, 1, lambda s: (x, y))
        layers = header["layers"]
        self.assertEqual([l["type"] for l in layers], ["Conv2d", "Conv2d", "Linear"])
        self.assertEqual(layers[0]["activation"]["via"], ["1"])
        self.assertEqual(layers[0]["activation"]["gradlab"], "relu")
        self.assertEqual(layers[1]["activation"]["gradlab"], "sigmoid")
        self.assertEqual(layers[0]["outputShape"], [5, 4, 6, 6])
        self.assertEqual(layers[0]["kernelSize"], [3, 3])
        # Direct computation on the copy.
        z1 = reference[0](x)
        z1.retain_grad()
        a1 = reference[2](reference[1](z1))
        z2 = reference[3](a1)
        z2.retain_grad()
        a2 = reference[4](z2)
        out = reference[6](reference[5](a2))
        (((out - y) ** 2).sum() / 2).backward()
        got = step["layers"]
        close(self, got[0]["gradNorm"], z1.grad.norm().item(), what="conv1 gradNorm")
        close(self, got[1]["gradNorm"], z2.grad.norm().item(), what="conv2 gradNorm")
        close(self, got[0]["weightGradNorm"], reference[0].weight.grad.norm().item(), what="dW")
        channels_dead = (a1 == 0).transpose(0, 1).reshape(4, -1).all(dim=1).double().mean()
        close(self, got[0]["deadFraction"], channels_dead.item(), what="dead channels")
        sigmoid_slope = torch.sigmoid(z2) * (1 - torch.sigmoid(z2))
        saturated = (sigmoid_slope <= 1e-3 * 0.25).double().mean()
        close(self, got[1]["saturatedFraction"], saturated.item(), rel=1e-9, what="saturated")
        close(self, got[1]["activationStd"], a2.std(unbiased=False).item(), what="std")


if __name__ == "__main__":
    unittest.main()
