#!/usr/bin/env python3
"""Regenerate the PyTorch fixtures in tests/fixtures/.

Run: PYTHON=/usr/bin/python3 npm run fixtures:torch   (optionally naming parts: export, recorder,
recordings, activations).

PyTorch is the outside reference here, as numpy is in make_fixtures.py:

1. pytorch-export.json: for each case, gradlab's CLI exports the run as a PyTorch program
   (`export --format pytorch`), and this script runs that program with torch, in float64 (and one
   case in float32): autograd's per-layer statistics and every dL/dW. The tests compare them with
   cpu64 (--rng numpy, the very same weights) to 1e-10 relative, and regenerate each program to
   check that it is still the one that ran here (its SHA-256).
2. It runs python/test_gradlab_record.py, which checks the recorder on real Linear and Conv
   models against values computed directly, and stops if a check fails.
3. digits-mlp.run.jsonl: the recorder on a real model: a 20-hidden-layer ReLU MLP with PyTorch's
   default init, trained 300 steps on the handwritten digits that scikit-learn ships.
   digits-cnn.run.jsonl: a small convolutional network on the same digits, 60 steps.
4. torch-activations.json: sup|φ'| of each PyTorch activation module as the recorder measures it,
   with gradlab's name for it, which the tests compare with gradlab's own activation table.

Needs torch, numpy and scikit-learn (Debian: python3-torch, python3-sklearn), and node for the CLI.
Deterministic: reruns write identical files (one CPU thread, fixed seeds, fixed timestamps).
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, os.path.join(ROOT, "python"))
import gradlab_record  # noqa: E402

torch.set_num_threads(1)

SMALL = {"depth": 3, "width": 8, "inputs": 8, "outputs": 3, "batch": 6}
DEEP = {"width": "16", "inputs": "16", "outputs": "4", "batch": "8"}


def case(name, base=SMALL, **flags):
    """A case: its name and CLI flags (keyword arguments, with _ for -) over `base`."""
    return name, {**base, **{key.replace("_", "-"): value for key, value in flags.items()}}


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu"]
ACTIVATIONS += ["softplus", "step", "linear"]

# Every activation, every init, residual and batchnorm, with and without biases.
EXPORT_CASES = [
    *[case(f"activation {name}", activation=name, sigma_b="0.1") for name in ACTIVATIONS],
    case(
        "leaky_relu alpha 0.2, output same",
        activation="leaky_relu",
        alpha="0.2",
        output_activation="same",
    ),
    case("elu alpha 0.5, output same", activation="elu", alpha="0.5", output_activation="same"),
    case("gelu, output same", activation="gelu", output_activation="same", seed="7"),
    case("init normal, tanh", activation="tanh", init="normal"),
    case("init xavier_uniform, sigmoid", activation="sigmoid", init="xavier_uniform"),
    case("init he, relu", activation="relu", init="he", sigma_b="0.2"),
    case("init he_uniform, relu", activation="relu", init="he_uniform"),
    case("init lecun, silu", activation="silu", init="lecun"),
    case(
        "init orthogonal gain 1.3, tanh, non-square ends",
        activation="tanh",
        init="orthogonal",
        gain="1.3",
        inputs="6",
        outputs="10",
    ),
    case("init orthogonal, relu, square", activation="relu", init="orthogonal", outputs="8"),
    case("init custom, tanh", activation="tanh", init="custom", sigma_w="1.5", sigma_b="0.3"),
    case("residual, relu he", activation="relu", init="he", residual="true"),
    case(
        "residual, tanh, first layer not square",
        activation="tanh",
        inputs="5",
        residual="true",
        sigma_b="0.1",
    ),
    case("batchnorm, sigmoid", activation="sigmoid", batchnorm="true"),
    case(
        "batchnorm and residual, relu",
        activation="relu",
        init="he",
        batchnorm="true",
        residual="true",
        sigma_b="0.2",
    ),
    case(
        "batchnorm, gelu_tanh, output same",
        activation="gelu_tanh",
        batchnorm="true",
        output_activation="same",
    ),
    # Pre-activations beyond 20, where PyTorch's default softplus threshold would differ.
    case(
        "softplus, large pre-activations",
        activation="softplus",
        init="normal",
        width="16",
        inputs="16",
    ),
    case("deep tanh, 20 layers", base={}, activation="tanh", depth="20", **DEEP),
    case(
        "deep relu batchnorm residual, 12 layers",
        base={},
        activation="relu",
        init="he",
        depth="12",
        **DEEP,
        batchnorm="true",
        residual="true",
    ),
]
# Cases whose full dL/dW is stored (the deep ones store per-layer statistics only).
WITHOUT_GRADIENTS = {"deep tanh, 20 layers", "deep relu batchnorm residual, 12 layers"}
FLOAT32_CASE = case(
    "float32: batchnorm and residual, relu",
    activation="relu",
    init="he",
    batchnorm="true",
    residual="true",
    sigma_b="0.2",
)
PHILOX_CASE = case("rng philox: relu", activation="relu", init="he")


def cli(*args):
    """gradlab's CLI, as `npm run -s cli` runs it."""
    command = ["node", "--import", "tsx", "--import", "./scripts/raw-loader.mjs"]
    command += ["src/cli/main.ts"]
    result = subprocess.run(command + list(args), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"gradlab {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def flag_list(flags):
    return [part for name, value in flags.items() for part in (f"--{name}", str(value))]


def run_program(text, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(text)
        path = fh.name
    try:
        result = subprocess.run(
            [sys.executable, path, *args],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
    finally:
        os.unlink(path)
    if result.returncode != 0:
        raise SystemExit(f"the exported program failed:\n{result.stderr}")
    return json.loads(result.stdout), result.stderr


def export_case(name, flags, rng="numpy", dtype=None, gradients=True):
    args = ["export", "--format", "pytorch", *flag_list({**flags, "rng": rng})]
    if dtype:
        args += ["--dtype", dtype]
    text = cli(*args)
    output, stderr = run_program(text, *(["--weight-gradients"] if gradients else []))
    case = {
        "name": name,
        "flags": {**flags, "rng": rng},
        "dtype": dtype or "float64",
        "programSha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "loss": output["loss"],
        "layers": output["layers"],
    }
    if gradients:
        case["weightGradients"] = output["weightGradients"]
    if "note" in output:
        case["note"] = output["note"]
        case["stderr"] = stderr.strip()
    return case


NUMBER_LIST = re.compile(r"\[\n\s*((?:-?[\d.e+-]+|null),?\n\s*)+\]")


def write_json(name, obj):
    # One number per line would double the file: lists of numbers go on one line each.
    text = json.dumps(obj, indent=1, allow_nan=False) + "\n"
    text = NUMBER_LIST.sub(lambda m: "[" + " ".join(m.group(0)[1:-1].split()) + "]", text)
    with open(os.path.join(FIXTURES, name), "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote tests/fixtures/{name} ({len(text)} bytes)")


def make_export():
    cases = [
        export_case(name, flags, gradients=name not in WITHOUT_GRADIENTS)
        for name, flags in EXPORT_CASES
    ]
    cases.append(export_case(*FLOAT32_CASE, dtype="float32"))
    cases.append(export_case(*PHILOX_CASE, rng="philox", gradients=False))
    write_json("pytorch-export.json", {"torch": torch.__version__, "cases": cases})


def check_recorder():
    result = subprocess.run(
        [sys.executable, "-m", "unittest", "-q", "test_gradlab_record"],
        cwd=os.path.join(ROOT, "python"),
        capture_output=True,
        text=True,
    )
    print(result.stderr.strip().splitlines()[-1])
    if result.returncode != 0:
        raise SystemExit(f"python/test_gradlab_record.py failed:\n{result.stderr}")


def digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.data, dtype=torch.float32) / 16.0
    y = torch.tensor(data.target, dtype=torch.long)
    return x, y


def train(model, x, y, steps, batch, lr, path, every, bins, momentum=0.9):
    """Minibatch SGD with momentum on cross-entropy, recorded every `every` steps."""
    generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    recorder = gradlab_record.Recorder(
        model, path, every=every, bins=bins, total_steps=steps, created="2025-01-01T00:00:00+00:00"
    )
    order = torch.randperm(len(x), generator=generator)
    position = 0
    for _ in range(steps):
        if position + batch > len(x):
            order = torch.randperm(len(x), generator=generator)
            position = 0
        index = order[position : position + batch]
        position += batch
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
        recorder.step(loss)
    recorder.close()
    size = os.path.getsize(path)
    print(f"wrote {os.path.relpath(path, ROOT)} ({size} bytes), final loss {loss.item():.4f}")


def make_recordings():
    x, y = digits()
    torch.manual_seed(0)
    hidden = [nn.Linear(64, 32), nn.ReLU()]
    for _ in range(19):
        hidden += [nn.Linear(32, 32), nn.ReLU()]
    mlp = nn.Sequential(*hidden, nn.Linear(32, 10))
    path = os.path.join(FIXTURES, "digits-mlp.run.jsonl")
    train(mlp, x, y, steps=300, batch=64, lr=0.05, path=path, every=20, bins=16)

    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3),
        nn.Tanh(),
        nn.Flatten(),
        nn.Linear(8 * 6 * 6, 10),
    )
    images = x.reshape(-1, 1, 8, 8)
    path = os.path.join(FIXTURES, "digits-cnn.run.jsonl")
    train(cnn, images, y, steps=60, batch=32, lr=0.05, path=path, every=10, bins=16)


def make_activations():
    modules = [
        nn.Sigmoid(),
        nn.Tanh(),
        nn.ReLU(),
        nn.LeakyReLU(),
        nn.LeakyReLU(0.2),
        nn.ELU(),
        nn.ELU(alpha=0.5),
        nn.GELU(),
        nn.GELU(approximate="tanh"),
        nn.SiLU(),
        nn.Softplus(),
    ]
    entries = []
    for module in modules:
        name, alpha = gradlab_record.gradlab_activation(module)
        slope = gradlab_record.max_slope(module)
        entries.append({"module": repr(module), "gradlab": name, "alpha": alpha, "maxSlope": slope})
    write_json("torch-activations.json", {"torch": torch.__version__, "activations": entries})


def main():
    parts = set(sys.argv[1:]) or {"export", "recorder", "recordings", "activations"}
    if "recorder" in parts:
        check_recorder()
    if "export" in parts:
        make_export()
    if "recordings" in parts:
        make_recordings()
    if "activations" in parts:
        make_activations()


if __name__ == "__main__":
    main()
