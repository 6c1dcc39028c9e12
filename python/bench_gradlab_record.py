"""How much gradlab_record adds to training.

The same training loop (SGD, cross-entropy) runs without a recorder and with a Recorder recording
every 100 and every 10 steps, in blocks of --steps steps, interleaved and repeated --repeats times;
it prints the median time per step of each and the overhead. On a busy machine those differences
drown in noise for large models, so it also measures the recorder's own time directly, inside its
hooks and step(), per recorded step, and compares it with the median step without a recorder.
Times are the process's CPU time (time.process_time) with torch on --threads threads (default 1),
so that other programs on a shared machine change them less than they change wall-clock time.

Run: python3 python/bench_gradlab_record.py [--width 512] [--depth 20] [--batch 256] [--steps 100]
"""

import argparse
import io
import os
import platform
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradlab_record  # noqa: E402
from gradlab_record import Recorder  # noqa: E402

#: CPU seconds spent inside the recorder (its hooks and step()), while `timed` is on.
spent = [0.0]


def timed(function):
    """The function, adding its CPU time to `spent` (outermost calls only)."""
    depth = [0]

    def wrapper(*args, **kwargs):
        depth[0] += 1
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent[0] += time.process_time() - start

    return wrapper


def instrument():
    """Times every entry into the recorder: the hooks it registers and step()."""
    cls = gradlab_record.Recorder
    for name in ("_activation_pre_hook", "_activation_hook", "_pass_through_hook", "step"):
        setattr(cls, name, timed(getattr(cls, name)))
    for name in ("_layer_hook", "_delta_hook", "_weight_grad_hook"):
        factory = getattr(cls, name)
        setattr(cls, name, lambda self, state, factory=factory: timed(factory(self, state)))


def model(inputs, width, depth, outputs):
    layers = [nn.Linear(inputs, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, outputs))


def step_times(net, x, y, steps, every=None):
    """CPU seconds of each of `steps` SGD steps, with a recorder every `every` steps if given."""
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3)
    recorder = Recorder(net, io.StringIO(), every=every) if every else None
    times = []
    for _ in range(steps):
        start = time.process_time()
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        if recorder:
            recorder.step(loss)
        times.append(time.process_time() - start)
    if recorder:
        recorder.close()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = model(64, args.width, args.depth, 10)
    x = torch.randn(args.batch, 64)
    y = torch.randint(0, 10, (args.batch,))
    step_times(net, x, y, 10)  # warm up
    step_times(net, x, y, 2, every=1)  # and the recorder's one-time measurement of sup|φ'|

    settings = [None, 100, 10]
    per_step = {every: [] for every in settings}
    for _ in range(args.repeats):
        for every in settings:
            per_step[every].append(sum(step_times(net, x, y, args.steps, every)) / args.steps)
    plain = statistics.median(per_step[None])

    instrument()
    spent[0] = 0.0
    records = max(args.steps // 5, 10)
    step_times(net, x, y, records, every=1)
    inside = spent[0] / records

    print(
        f"{args.depth} hidden layers × {args.width}, batch {args.batch}; blocks of {args.steps} "
        f"steps × {args.repeats}; torch {torch.__version__}, {args.threads} thread(s), CPU time, "
        f"{platform.processor() or platform.machine()}"
    )
    print(f"  no recorder        {plain * 1e3:9.2f} ms/step")
    for every in settings[1:]:
        ms = statistics.median(per_step[every])
        print(f"  every {every:3d}          {ms * 1e3:9.2f} ms/step  {ms / plain - 1:+.1%}")
    print(
        f"  inside the recorder, per recorded step: {inside * 1e3:.2f} ms = {inside / plain:.1%} "
        f"of a step; every 10: {inside / plain / 10:.1%}, every 100: {inside / plain / 100:.2%}"
    )


if __name__ == "__main__":
    main()
