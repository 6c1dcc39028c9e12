#!/usr/bin/env python3
"""Regenerate the reference fixtures in tests/fixtures/ (run: python3 scripts/make_fixtures.py).

The TypeScript tests compare gradlab against these files, so every value comes from an
independent implementation: numpy's own legacy RNG, mpmath at 50 digits for special functions
and activations, the chapter notebook's own code for its two experiments, and a plain numpy
forward/backward pass for network statistics. Deterministic: reruns write identical files.
Needs numpy, scipy, mpmath. Override the notebook path with GRADLAB_NOTEBOOK=/path.
"""
import contextlib, io, json, math, os, sys, types

import mpmath as mp
import numpy as np
from scipy import special

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')
# The chapter lives in shared/ beside the repository (../shared/seed from the repo root).
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.environ.get(
    'GRADLAB_NOTEBOOK', os.path.join(REPO, '..', 'shared', 'seed', '000_cfedc1b1fe26614f.txt')
)
mp.mp.dps = 50


def clean(v):
    """JSON-safe copy: numpy/mpmath -> python, non-finite -> null, -0.0 -> 0.0."""
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)  # float, np.floating or mpf (mpf -> float rounds to nearest, underflows to 0)
    return None if not math.isfinite(f) else (0.0 if f == 0 else f)


def write(name, obj):
    # json writes floats with repr, which round-trips exactly; allow_nan=False backs up clean().
    text = json.dumps(clean(obj), indent=1, allow_nan=False) + '\n'
    with open(os.path.join(FIXTURES, name), 'w') as fh:
        fh.write(text)
    print(f'wrote tests/fixtures/{name} ({len(text)} bytes)')


# 1. numpy legacy MT19937 streams (global np.random functions, exactly as the notebook uses them)
def make_mt19937():
    cases = []
    for s in [0, 1, 42, 12345, 4294967295]:
        np.random.seed(s)
        st = np.random.get_state()
        case = {'seed': s, 'stateHead': st[1][:8], 'statePos': st[2]}
        np.random.seed(s)
        case['randomSample'] = np.random.random_sample(20)
        np.random.seed(s)  # 25 + 12 normals: the odd first call leaves a cached gaussian behind
        case['randn'] = np.concatenate([np.random.randn(25), np.random.randn(3, 4).ravel()])
        np.random.seed(s)
        case['uniform'] = np.random.uniform(-0.5, 0.5, (3, 5)).ravel()
        np.random.seed(s)
        case['mixed'] = np.concatenate([
            np.random.randn(10, 1).ravel(), np.random.randn(1, 1).ravel(),
            np.random.uniform(-1, 1, (2, 3)).ravel(), np.random.randn(5),
            np.random.random_sample(3)])
        cases.append(case)
    write('mt19937.json', {'cases': cases})
    return cases


def grid(points, lo, hi, n):
    """Sorted union (exact-double dedupe) of points, their negatives and linspace(lo, hi, n)."""
    return sorted({0.0} | {float(p) for p in points} | {-float(p) for p in points}
                  | {float(v) for v in np.linspace(lo, hi, n)})


# 2. erf / erfc / normal cdf at 50 digits, rounded to double
def make_special():
    xs = grid([1e-300, 1e-12, 1e-6, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8,
               10, 15, 20, 26, 27, 30], -7, 7, 200)
    ms = [mp.mpf(x) for x in xs]  # mpf(double) is exact
    write('special.json', {'x': xs, 'erf': [mp.erf(m) for m in ms],
                           'erfc': [mp.erfc(m) for m in ms],
                           'ndtr': [mp.erfc(-m / mp.sqrt(2)) / 2 for m in ms]})


# 3. activations at 50 digits. Formulas are cancellation-free (sigma(-x) rather than
# 1 - sigma(x), sech^2 rather than 1 - tanh^2, log1p/expm1) so they stay exact at |x| = 1000.
def sig(m):
    return 1 / (1 + mp.exp(-m))


def sech2(m):
    return 4 / (mp.exp(m) + mp.exp(-m)) ** 2


def gelu_tanh(m):
    c, k = mp.sqrt(2 / mp.pi), mp.mpf(0.044715)  # k: the double nearest 0.044715, as in TS
    u = c * (m + k * m ** 3)
    one_plus_tanh = 2 * sig(2 * u)  # = 1 + tanh(u) without cancellation for u << 0
    return m * one_plus_tanh / 2, one_plus_tanh / 2 + m * sech2(u) * c * (1 + 3 * k * m * m) / 2


ONE, ZERO = mp.mpf(1), mp.mpf(0)
LEAKY = (lambda m, a: m if m > 0 else a * m, lambda m, a: ONE if m > 0 else a)
ELU = (lambda m, a: m if m > 0 else a * mp.expm1(m), lambda m, a: ONE if m > 0 else a * mp.exp(m))
ACTIVATIONS = {  # name -> (alpha, f(x, alpha), f'(x, alpha)); kinks take the x <= 0 branch
    'sigmoid': (None, lambda m, a: sig(m), lambda m, a: sig(m) * sig(-m)),
    'tanh': (None, lambda m, a: mp.tanh(m), lambda m, a: sech2(m)),
    'relu': (None, lambda m, a: max(m, ZERO), lambda m, a: ONE if m > 0 else ZERO),
    'leaky_relu': (0.01,) + LEAKY,
    'leaky_relu_0.1': (0.1,) + LEAKY,
    'elu': (1.0,) + ELU,
    'elu_0.5': (0.5,) + ELU,
    'gelu': (None, lambda m, a: m * mp.ncdf(m), lambda m, a: mp.ncdf(m) + m * mp.npdf(m)),
    'gelu_tanh': (None, lambda m, a: gelu_tanh(m)[0], lambda m, a: gelu_tanh(m)[1]),
    'silu': (None, lambda m, a: m * sig(m), lambda m, a: sig(m) * (1 + m * sig(-m))),
    # log1p(e^x) for x <= 0 keeps softplus(-700) ~ 1e-304; x + log1p(e^-x) above
    'softplus': (None, lambda m, a: mp.log1p(mp.exp(m)) if m <= 0 else m + mp.log1p(mp.exp(-m)),
                 lambda m, a: sig(m)),
    'step': (None, lambda m, a: ONE if m > 0 else ZERO, lambda m, a: ZERO),
    'linear': (None, lambda m, a: m, lambda m, a: ONE),
}


def make_activations():
    xs = grid([1000, 700, 100, 50, 30, 20, 10, 5, 3, 2, 1.5, 1, 0.5, 0.1, 1e-8], -6, 6, 101)
    acts = {}
    for name, (alpha, f, df) in ACTIVATIONS.items():
        a = None if alpha is None else mp.mpf(alpha)
        acts[name] = {'alpha': alpha, 'f': [f(mp.mpf(x), a) for x in xs],
                      'df': [df(mp.mpf(x), a) for x in xs]}
    # Sanity check against double-precision scipy/numpy away from underflow.
    xa = np.array(xs)
    for name, ref in [('sigmoid', special.expit(xa)), ('tanh', np.tanh(xa)),
                      ('gelu', xa * special.ndtr(xa)), ('softplus', np.logaddexp(0, xa))]:
        got = np.array([float(v) for v in acts[name]['f']])
        ok = np.abs(got) > 1e-300
        assert np.max(np.abs(got[ok] - ref[ok]) / np.abs(got[ok])) < 1e-13, name
    write('activations.json', {'x': xs, 'activations': acts})


# 4. the notebook's own experiments, executed with matplotlib replaced by a recorder stub
class Dummy:
    """Swallows attribute access, calls, indexing and unpacking; logs (key, args) of calls."""
    def __init__(self, log=None, key=None):
        self._log, self._key = log, key

    def __getattr__(self, name):
        return Dummy(self._log, (self._key, name))

    def __getitem__(self, idx):
        return Dummy(self._log, idx)

    def __call__(self, *args, **kw):
        if self._log is not None:
            self._log.append((self._key, args))
        return Dummy()

    def __iter__(self):
        return iter([Dummy(), Dummy()])


def run_cell(src):
    """exec one notebook cell unmodified; axes[i].plot(*args) is logged as ((i, 'plot'), args)."""
    log, plt, mpl = [], types.ModuleType('matplotlib.pyplot'), types.ModuleType('matplotlib')
    plt.__getattr__ = lambda name: Dummy()
    plt.subplots = lambda *a, **k: (Dummy(), Dummy(log))
    mpl.pyplot = plt
    saved = {k: sys.modules.get(k) for k in ('matplotlib', 'matplotlib.pyplot')}
    sys.modules.update({'matplotlib': mpl, 'matplotlib.pyplot': plt})
    ns = {'__name__': '__notebook__'}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the cells print commentary
            exec(compile(src, '<notebook>', 'exec'), ns)
    finally:
        for k, v in saved.items():  # put back whatever was there (normally nothing)
            if v is None:
                del sys.modules[k]
            else:
                sys.modules[k] = v
    return ns, log


def make_notebook():
    with open(NOTEBOOK) as fh:
        cells = [c['source'] for c in json.load(fh)['cells'] if c['cell_type'] == 'code']
    srcs = [''.join(s) if isinstance(s, list) else s for s in cells]
    sweep_src, = [s for s in srcs if 'def create_network' in s and 'depths = [3, 5, 10, 20]' in s]
    ten_src, = [s for s in srcs if 'def run_experiment' in s]

    # Depth sweep: one axes[i].plot(layers, grad_norms) per depth, sigmoid (axes[0]) then relu.
    ns, log = run_cell(sweep_src)
    plots = [(key[0], args[1]) for key, args in log if key[1] == 'plot']
    depths = ns['depths']
    assert [i for i, _ in plots] == [0] * len(depths) + [1] * len(depths)
    sweep = {act: {str(d): plots[i * len(depths) + j][1] for j, d in enumerate(depths)}
             for i, act in enumerate(['sigmoid', 'relu'])}
    # Cross-check: replaying the notebook's draw order with its own functions agrees exactly.
    np.random.seed(42)
    x, y = np.random.randn(ns['n_features'], 1), np.random.randn(1, 1)
    for act in ['sigmoid', 'relu']:
        for d in depths:
            params = ns['create_network']([ns['n_features']] + [ns['hidden_size']] * d + [1], act)
            _, cache = ns['forward_pass'](x, params, act)
            assert ns['backward_pass'](y, params, cache, act) == list(sweep[act][str(d)])

    # Ten-layer run (reseeds 42 per activation); recompute its output unit to explain ReLU zeros.
    ns10, _ = run_cell(ten_src)
    ten = {'sigmoid': ns10['sigmoid_grads'], 'relu': ns10['relu_grads']}
    outputs, sizes = {}, ns10['layer_sizes']
    for act in ['sigmoid', 'relu']:
        np.random.seed(42)
        ws = [np.random.randn(o, i) * np.sqrt(2.0 / (i + o)) for i, o in zip(sizes, sizes[1:])]
        a = np.random.randn(sizes[0], 1)
        for W in ws:
            z = W @ a
            a = 1 / (1 + np.exp(-np.clip(z, -500, 500))) if act == 'sigmoid' else np.maximum(0, z)
        outputs[act] = {'z_out': z[0, 0], 'a_out': a[0, 0], 'y': np.random.randn(1, 1)[0, 0]}
    write('notebook.json', {'depthSweep': sweep, 'tenLayer': ten, 'tenLayerOutput': outputs})
    return ten, outputs


# 5. independent numpy reference of gradlab's forward/backward statistics (float64)
def np_act(name, alpha):
    """(phi, phi', M = max |phi'|) via scipy.special."""
    pdf = lambda z: np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    neg = lambda z: np.minimum(z, 0)  # keeps exp/expm1 from overflowing in the unused branch
    r2 = math.sqrt(2)  # gelu'' = pdf(z)(2 - z^2) vanishes at sqrt(2): gelu' max ~ 1.1289
    return {
        'sigmoid': (special.expit, lambda z: special.expit(z) * special.expit(-z), 0.25),
        'tanh': (np.tanh, lambda z: 1 - np.tanh(z) ** 2, 1.0),
        'relu': (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float), 1.0),
        'leaky_relu': (lambda z: np.where(z > 0, z, alpha * z),
                       lambda z: np.where(z > 0, 1.0, alpha), max(1.0, alpha or 0)),
        'elu': (lambda z: np.where(z > 0, z, alpha * np.expm1(neg(z))),
                lambda z: np.where(z > 0, 1.0, alpha * np.exp(neg(z))), max(1.0, alpha or 0)),
        'gelu': (lambda z: z * special.ndtr(z), lambda z: special.ndtr(z) + z * pdf(z),
                 float(special.ndtr(r2) + r2 * pdf(r2))),
        'linear': (lambda z: z, np.ones_like, 1.0),
    }[name]


def draw(spec):
    """Draw protocol: seed; W_l for l = 1..L (randn * std or uniform(-lim, lim)); X; Y."""
    sizes = [spec['inputs']] + [spec['width']] * spec['depth'] + [spec['outputs']]
    np.random.seed(spec['seed'])
    Ws = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        init = spec['init']
        if init.endswith('_uniform'):
            lim = math.sqrt(6 / (n_in + n_out) if init == 'xavier_uniform' else 6 / n_in)
            Ws.append(np.random.uniform(-lim, lim, (n_out, n_in)))
        else:
            std = {'normal': 1.0, 'xavier': math.sqrt(2 / (n_in + n_out)),
                   'he': math.sqrt(2 / n_in), 'lecun': math.sqrt(1 / n_in)}[init]
            Ws.append(np.random.randn(n_out, n_in) * std)
    X = np.random.randn(spec['inputs'], spec['batch'])
    Y = np.random.randn(spec['outputs'], spec['batch'])
    return Ws, X, Y


def forward_backward(spec, Ws, X, Y, backward=True):
    """Returns (loss, per-layer stats, dWs); biases are zero throughout."""
    L, hidden = len(Ws), np_act(spec['activation'], spec['alpha'])
    out = hidden if spec['outputActivation'] == 'same' else np_act('linear', None)
    a, cache = X, []
    for l, W in enumerate(Ws, start=1):
        phi, dphi, M = hidden if l < L else out
        z, s = W @ a, None
        zh = z
        if spec['batchnorm'] and l < L:  # per unit over the batch, biased variance, no affine
            s = np.sqrt(z.var(axis=1, keepdims=True) + 1e-5)
            zh = (z - z.mean(axis=1, keepdims=True)) / s
        h = phi(zh)
        res = spec['residual'] and l < L and W.shape[0] == W.shape[1]
        cache.append(dict(a_prev=a, zh=zh, s=s, h=h, res=res, dp=dphi(zh), M=M))
        a = cache[-1]['a'] = h + a if res else h
    loss = 0.5 * float(np.sum((a - Y) ** 2))
    if not backward:
        return loss, None, None
    g, dWs, stats = a - Y, [None] * L, [None] * L
    for l in range(L, 0, -1):
        c = cache[l - 1]
        delta = d = g * c['dp']
        if c['s'] is not None:
            zh = c['zh']
            delta = (d - d.mean(axis=1, keepdims=True)
                     - zh * (d * zh).mean(axis=1, keepdims=True)) / c['s']
        dWs[l - 1] = delta @ c['a_prev'].T
        stats[l - 1] = {
            'layer': l, 'gradNorm': np.linalg.norm(delta),
            'weightGradNorm': np.linalg.norm(dWs[l - 1]),
            'activationMean': np.mean(c['a']), 'activationStd': np.std(c['a']),
            'deadFraction': np.mean(np.all(c['h'] == 0, axis=1)),
            'saturatedFraction': np.mean(np.abs(c['dp']) <= 1e-3 * c['M'])}
        g = Ws[l - 1].T @ delta + (g if c['res'] else 0)
    return loss, stats, dWs


def fd_error(spec, Ws, X, Y, dWs, layer, eps):
    """Max |central difference - analytic| over a layer's weights, relative to max |dW|."""
    num = np.zeros_like(Ws[layer])
    for idx in np.ndindex(*num.shape):
        loss = []
        for sgn in (1, -1):
            W2 = [W.copy() for W in Ws]
            W2[layer][idx] += sgn * eps
            loss.append(forward_backward(spec, W2, X, Y, False)[0])
        num[idx] = (loss[0] - loss[1]) / (2 * eps)
    return np.max(np.abs(num - dWs[layer])) / np.max(np.abs(dWs[layer]))


NET_KEYS = ['activation', 'alpha', 'init', 'depth', 'width', 'inputs', 'outputs', 'batch',
            'outputActivation', 'seed', 'residual', 'batchnorm']
NET_CASES = [  # name, then values in NET_KEYS order
    ('a_tanh_xavier', 'tanh', None, 'xavier', 3, 6, 4, 2, 5, 'linear', 7, False, False),
    ('b_relu_he_residual', 'relu', None, 'he', 4, 8, 8, 3, 6, 'linear', 11, True, False),
    ('c_sigmoid_normal_bn', 'sigmoid', None, 'normal', 3, 5, 3, 1, 7, 'same', 3, False, True),
    ('d_gelu_lecun', 'gelu', None, 'lecun', 5, 7, 5, 2, 4, 'linear', 5, False, False),
    ('e_elu_xavier_uniform_res_bn', 'elu', 1.0, 'xavier_uniform', 3, 6, 6, 6, 3, 'same', 9,
     True, True),
    ('f_leaky_he_uniform_depth50', 'leaky_relu', 0.01, 'he_uniform', 50, 16, 16, 4, 8, 'linear',
     42, False, False),
    ('g_sigmoid_xavier_single', 'sigmoid', None, 'xavier', 10, 15, 8, 1, 1, 'same', 42, False,
     False),
]


def make_network():
    cases = []
    for name, *values in NET_CASES:
        spec = dict(zip(NET_KEYS, values))
        Ws, X, Y = draw(spec)
        loss, stats, dWs = forward_backward(spec, Ws, X, Y)
        # Validate the analytic backward pass (first and last layer) before trusting it. Two
        # step sizes: 1e-5 suits most cases; case g's dW_1 (~6e-8, vanished) drowns in
        # rounding at that step and needs 1e-3 (where ReLU-like kinks would spoil it instead).
        err = max(min(fd_error(spec, Ws, X, Y, dWs, layer, eps) for eps in (1e-5, 1e-3))
                  for layer in (0, len(Ws) - 1))
        assert err < 1e-5, (name, err)
        print(f'  {name}: loss={loss:.6g}, finite-difference error {err:.1e}')
        case = {'name': name, 'spec': spec, 'loss': loss, 'layers': stats}
        if not cases:  # dW_1 of the first case, C order (row = output unit), for exact checks
            case.update(dW1Shape=dWs[0].shape, dW1=dWs[0].ravel())
        cases.append(case)
    write('network.json', {'cases': cases})


# 6. the mean-field correlation map (Poole et al. 2016 eq. 5, Schoenholz et al. 2017 eqs. 3, 8-9)
# for tanh, by a plain tensor-product Gauss-Legendre rule on the square [-14, 14]^2 in Cartesian
# coordinates (z1, z2) -- not gradlab's polar rule split at the kinks, and no grading: tanh is
# smooth, so the rule converges geometrically -- with q* and c* from scipy's brentq.
CORRELATION_CASES = [  # (sigma_w^2, sigma_b^2): chaotic, chaotic, near-critical chaotic, ordered
    (4.0, 0.05), (2.25, 0.01), (1.77, 0.05), (1.0, 0.5)]
CORRELATION_MAP_AT = [-0.5, 0.0, 0.3, 0.9, 0.99]


def correlation_case(sw2, sb2, nodes):
    from scipy.optimize import brentq
    x, w = np.polynomial.legendre.leggauss(nodes)
    z = 14.0 * x
    w = w * np.exp(-0.5 * z * z)
    w = w / w.sum()
    z1, z2 = np.meshgrid(z, z, indexing='ij')
    w2 = np.outer(w, w)
    sech2 = lambda u: 1.0 / np.cosh(u) ** 2

    def e1(f, q):
        return float(np.sum(w * f(math.sqrt(q) * z)))

    def e2(f, q, c):
        u1 = math.sqrt(q) * z1
        u2 = math.sqrt(q) * (c * z1 + math.sqrt((1 - c) * (1 + c)) * z2)
        return float(np.sum(w2 * f(u1) * f(u2)))

    q_star = brentq(lambda q: sw2 * e1(lambda u: np.tanh(u) ** 2, q) + sb2 - q, 1e-3, 1e3,
                    xtol=1e-16, rtol=1e-15, maxiter=500)
    chi1 = sw2 * e1(lambda u: sech2(u) ** 2, q_star)
    cmap = lambda c: (sw2 * e2(np.tanh, q_star, c) + sb2) / q_star
    slope = lambda c: sw2 * e2(sech2, q_star, c)
    # C(c) - c >= 0 at 0 and < 0 just below 1 in the chaotic phase (C convex, C'(1) = chi1 > 1).
    c_star = 1.0 if chi1 <= 1 else brentq(lambda c: cmap(c) - c, 0.0, 1 - 1e-6,
                                          xtol=1e-16, rtol=1e-15, maxiter=500)
    return {'activation': 'tanh', 'sigmaW2': sw2, 'sigmaB2': sb2, 'qStar': q_star,
            'chi1': chi1, 'cStar': c_star, 'chiC': slope(c_star),
            'map': [{'c': c, 'value': cmap(c), 'slope': slope(c)} for c in CORRELATION_MAP_AT]}


def make_correlation():
    cases = []
    for sw2, sb2 in CORRELATION_CASES:
        case = correlation_case(sw2, sb2, 600)
        # Self-check: 800 nodes per axis agree (tanh's poles at +-i*pi/2 are ~1/sqrt(q*) away).
        check = correlation_case(sw2, sb2, 800)
        for key in ('qStar', 'chi1', 'cStar', 'chiC'):
            assert abs(case[key] - check[key]) < 1e-13, (sw2, sb2, key, case[key], check[key])
        print(f"  tanh sw2={sw2} sb2={sb2}: q*={case['qStar']:.15g} chi1={case['chi1']:.15g}"
              f" c*={case['cStar']:.15g} chi_c={case['chiC']:.15g}")
        cases.append(case)
    write('correlation.json', {'cases': cases})


# 7. histograms (bins, min, max, counts) of every layer's activations, by an exact reference of
# gradlab's binning rule: bin = min(bins - 1, floor((v - min) / (max - min) * bins)) over the
# finite values, everything in bin 0 when (max - min) / 2 < 2^-64. Positions are computed in exact
# rational arithmetic (fractions.Fraction of the doubles), so the reference has no rounding of its
# own. A layer is 'exact' when every backend must reproduce it bin for bin: its values are exact in
# f32 as in f64 (dyadic weights and inputs, exact activations), and the rule's own arithmetic is
# exact in any precision (half-range and bins powers of two, so the scale is a power of two).
# Elsewhere the fixture gives each value's distance to the nearest inner bin edge, in bins, from
# which a test derives how many values its backend's rounding may move.
from fractions import Fraction

HIST_ACTIVATIONS = {
    'linear': lambda z, a: z,
    'relu': lambda z, a: np.maximum(z, 0.0),
    'leaky_relu': lambda z, a: np.where(z > 0, z, a * z),
    'step': lambda z, a: (z > 0).astype(float),
    'sigmoid': lambda z, a: special.expit(z),
    'tanh': lambda z, a: np.tanh(z),
    'elu': lambda z, a: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))),
    'gelu': lambda z, a: z * special.ndtr(z),
}


def hist_forward(case, dtype):
    """Every layer's activations a_l (units x batch), computed in `dtype`."""
    act = HIST_ACTIVATIONS[case['activation']]
    alpha = dtype(case['alpha'])
    a = np.asarray(case['x'], dtype).reshape(case['sizes'][0], case['batch'])
    L = len(case['sizes']) - 1
    layers = []
    for l in range(1, L + 1):
        n_in, n_out = case['sizes'][l - 1], case['sizes'][l]
        W = np.asarray(case['weights'][l - 1], dtype).reshape(n_out, n_in)
        z = W @ a
        if case['biases'] is not None:
            z = z + np.asarray(case['biases'][l - 1], dtype)[:, None]
        if case['batchnorm'] and l < L:
            z = (z - z.mean(axis=1, keepdims=True)) / np.sqrt(
                z.var(axis=1, keepdims=True) + dtype(1e-5))
        same = l < L or case['outputActivation'] == 'same'
        h = act(z, alpha).astype(dtype) if same else z
        a = h + a if case['residual'] and l < L and n_in == n_out else h
        layers.append(a)
    return layers


def is_power_of_two(f):
    return f > 0 and f.numerator & (f.numerator - 1) == 0 and (
        f.denominator & (f.denominator - 1) == 0) and (f.numerator == 1 or f.denominator == 1)


def exact_histogram(values, bins):
    """The rule in exact arithmetic: (min, max, counts, distance of each value to an inner edge)."""
    finite = [Fraction(float(v)) for v in values.ravel() if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    counts = [0] * bins
    distances = []
    degenerate = (hi - lo) / 2 < Fraction(1, 2 ** 64)
    for v in finite:
        if degenerate:
            counts[0] += 1
            distances.append(None)
            continue
        p = (v - lo) / (hi - lo) * bins
        counts[min(bins - 1, math.floor(p))] += 1
        inner = [abs(p - k) for k in range(1, bins)]
        distances.append(float(min(inner)) if inner else None)
    scale_exact = degenerate or is_power_of_two((hi - lo) / 2) and is_power_of_two(Fraction(bins))
    return float(lo), float(hi), counts, distances, scale_exact


def dyadic_case(name, activation, alpha, sizes, batch, bins, rng, output='linear',
                residual=False, negative_inputs=False):
    """Signed-permutation weights and inputs in halves on [-4, 4] (both ends present): every
    activation is a dyadic number with few bits, exact in f32 and f64 alike."""
    weights = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        W = np.zeros((n_out, n_in))
        perm = rng.permutation(max(n_in, n_out))
        for i in range(n_out):
            W[i, perm[i] % n_in] = rng.choice([-1.0, 1.0])
        weights.append(W.ravel())
    x = rng.integers(-8, 9, size=(sizes[0], batch)) / 2.0
    x[0, 0], x[-1, -1] = -4.0, 4.0
    if negative_inputs:
        x = -np.abs(x)
    return dict(name=name, activation=activation, alpha=alpha, sizes=sizes, batch=batch,
                bins=bins, outputActivation=output, residual=residual, batchnorm=False,
                exactValues=True, weights=weights, biases=None, x=x.ravel(),
                y=np.zeros(sizes[-1] * batch))


def gaussian_case(name, activation, alpha, sizes, batch, bins, rng, output='linear',
                  residual=False, batchnorm=False, bias=0.0, scale=None):
    weights = [rng.standard_normal(n_in * n_out) * (scale or math.sqrt(1.0 / n_in))
               for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.standard_normal(n) * bias for n in sizes[1:]] if bias else None
    return dict(name=name, activation=activation, alpha=alpha, sizes=sizes, batch=batch,
                bins=bins, outputActivation=output, residual=residual, batchnorm=batchnorm,
                exactValues=False, weights=weights, biases=biases,
                x=rng.standard_normal(sizes[0] * batch), y=rng.standard_normal(sizes[-1] * batch))


def make_histograms():
    rng = np.random.default_rng(16)
    # One shape for all (3 layers of 8 units, batch 8): on SwiftShader every new matmul shape
    # costs seconds of shader compilation, so the GPU test shares its pipelines across cases.
    sizes, batch = [8, 8, 8, 8], 8
    cases = [
        dyadic_case('exact_linear', 'linear', 0.0, sizes, batch, 8, rng),
        dyadic_case('exact_linear_1024_bins', 'linear', 0.0, sizes, batch, 1024, rng),
        dyadic_case('exact_relu_edges', 'relu', 0.0, sizes, batch, 16, rng),
        dyadic_case('exact_leaky_half', 'leaky_relu', 0.5, sizes, batch, 4, rng),
        dyadic_case('exact_step_two_bins', 'step', 0.0, sizes, batch, 2, rng, output='same'),
        dyadic_case('exact_linear_residual', 'linear', 0.0, sizes, batch, 32, rng,
                    residual=True),
        dyadic_case('exact_dead_relu_one_value', 'relu', 0.0, sizes, batch, 8, rng,
                    output='same', negative_inputs=True),
        gaussian_case('sigmoid_bias_32', 'sigmoid', 0.0, sizes, batch, 32, rng, bias=0.5),
        gaussian_case('tanh_residual_7', 'tanh', 0.0, sizes, batch, 7, rng, residual=True),
        gaussian_case('gelu_batchnorm_1024', 'gelu', 0.0, sizes, batch, 1024, rng,
                      batchnorm=True),
        gaussian_case('elu_same_2', 'elu', 1.0, sizes, batch, 2, rng, output='same'),
        gaussian_case('linear_growing_16', 'linear', 0.0, sizes, batch, 16, rng, scale=1.5),
    ]
    out = []
    for case in cases:
        layers64 = hist_forward(case, np.float64)
        layers32 = hist_forward(case, np.float32)
        if case['exactValues']:  # the claim that makes these cases exact, checked
            for a64, a32 in zip(layers64, layers32):
                assert np.array_equal(a64, a32.astype(np.float64)), case['name']
        hist = []
        for a in layers64:
            lo, hi, counts, distances, scale_exact = exact_histogram(a, case['bins'])
            # numpy's own histogram agrees wherever no value sits on an inner edge (numpy puts an
            # edge value in the upper bin too, but computes edges by linspace, with rounding).
            if lo < hi and all(d is None or d > 1e-9 for d in distances):
                np_counts, _ = np.histogram(a.ravel(), bins=case['bins'], range=(lo, hi))
                assert list(np_counts) == counts, case['name']
            exact = bool(case['exactValues'] and scale_exact)
            # Distances matter only where a backend may move values; 4 significant digits,
            # rounded down (a value then counts as movable a little early, never late).
            shortened = [None if d is None else float(f'{d * (1 - 1e-4):.4g}') for d in distances]
            on_edge = sum(1 for d in distances if d == 0)
            hist.append({'min': lo, 'max': hi, 'counts': counts, 'exact': exact,
                         'values': len(distances), 'onEdge': on_edge,
                         'distances': None if exact else shortened})
        print(f"  {case['name']}: exact layers "
              f"{[i + 1 for i, h in enumerate(hist) if h['exact']]} of {len(hist)}")
        out.append({**case, 'layers': hist})
    write('histograms.json', {'cases': out})


# 8. weight inits against numpy: custom (randn * sigma_w / sqrt(n_in), biases randn * sigma_b
# after all weights) and orthogonal (QR of a Gaussian with the signs of R's diagonal made
# positive, times the gain: orthonormal rows when n_out <= n_in, columns otherwise), drawn with
# numpy's legacy generator in gradlab's numpy-protocol order.
def orthogonal_numpy(M):
    n_out, n_in = M.shape
    if n_out <= n_in:
        Q, R = np.linalg.qr(M.T)
        return (Q * np.sign(np.diag(R))).T
    Q, R = np.linalg.qr(M)
    return Q * np.sign(np.diag(R))


INIT_CASES = [  # name, init, gain, sigma_w, sigma_b, depth, width, inputs, outputs, seed
    ('custom_wide', 'custom', 1.0, 1.7, 0.3, 2, 9, 4, 3, 7),
    ('custom_small_sigma', 'custom', 1.0, 0.05, 0.0, 3, 5, 6, 2, 123),
    ('orthogonal_tall_square_wide', 'orthogonal', 1.3, 1.0, 0.2, 2, 7, 5, 3, 42),
    ('orthogonal_unit_gain', 'orthogonal', 1.0, 1.0, 0.0, 1, 12, 12, 4, 2024),
]


def make_inits():
    cases = []
    for name, init, gain, sigma_w, sigma_b, depth, width, inputs, outputs, seed in INIT_CASES:
        sizes = [inputs] + [width] * depth + [outputs]
        np.random.seed(seed)
        weights = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            M = np.random.randn(n_out, n_in)
            W = orthogonal_numpy(M) * gain if init == 'orthogonal' else M * (sigma_w / math.sqrt(n_in))
            if init == 'orthogonal':  # the property gradlab promises: W W^T or W^T W = gain^2 I
                G = W @ W.T if n_out <= n_in else W.T @ W
                assert np.allclose(G, gain ** 2 * np.eye(len(G)), atol=1e-12), name
            weights.append(W.ravel())
        biases = [np.random.randn(n) * sigma_b for n in sizes[1:]] if sigma_b else None
        spec = {'init': init, 'gain': gain, 'sigma-w': sigma_w, 'sigma-b': sigma_b,
                'depth': depth, 'width': width, 'inputs': inputs, 'outputs': outputs,
                'seed': seed, 'rng': 'numpy', 'batch': 2}
        cases.append({'name': name, 'spec': spec, 'sizes': sizes, 'weights': weights,
                      'biases': biases})
    write('inits.json', {'cases': cases})


README = """# Test fixtures

Generated by `scripts/make_fixtures.py` (`npm run fixtures`); do not hand-edit. Reruns
write identical files. Floats use Python's repr and round-trip exactly; non-finite would be null.

- `mt19937.json`: numpy legacy `np.random` streams (state after `seed`, `random_sample`,
  `randn` incl. the cached second gaussian, `uniform`, a mixed sequence) for 5 seeds.
- `special.json`: erf, erfc, normal cdf (ndtr) from mpmath at 50 digits, rounded to double.
- `activations.json`: value and derivative of every activation from mpmath at 50 digits,
  rounded to double, on x in [-1000, 1000].
- `notebook.json`: the chapter notebook's two gradient experiments, from executing its own
  code cells, plus the ten-layer run's output unit.
- `network.json`: independent numpy forward/backward of small networks with per-layer
  statistics, loss, and dW_1 of the first case (checked against finite differences).
- `correlation.json`: the mean-field correlation map of tanh at four (sigma_w^2, sigma_b^2):
  q*, chi1, the fixed point c*, chi_c and the map with its slope at a few c, by tensor-product
  Gauss-Legendre on [-14, 14]^2 (600 nodes per axis, checked against 800) and scipy's brentq.
- `histograms.json`: small networks given weight by weight, with each layer's activation
  histogram (min, max, counts) by gradlab's binning rule in exact rational arithmetic, each
  value's distance to the nearest inner bin edge, and which layers every backend must match bin
  for bin (dyadic values exact in f32, a power-of-two scale); checked against np.histogram.
- `inits.json`: custom and orthogonal (QR of a Gaussian, signs of R's diagonal positive) weights
  and the biases after them, drawn with numpy's legacy generator in gradlab's order.
"""


GROUPS = ('mt19937', 'special', 'activations', 'notebook', 'network', 'correlation',
          'histograms', 'inits')


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    # `python3 scripts/make_fixtures.py histograms inits` regenerates only those groups.
    only = set(sys.argv[1:])
    unknown = only - set(GROUPS)
    if unknown:
        sys.exit(f'unknown fixture groups {sorted(unknown)}; groups: {", ".join(GROUPS)}')
    if only:
        for group in GROUPS:
            if group in only:
                globals()[f'make_{group}']()
        return
    mt = make_mt19937()
    print('  seed(42) stateHead[:3]:', [int(w) for w in mt[2]['stateHead'][:3]],
          'pos', mt[2]['statePos'])
    make_special()
    make_activations()
    ten, outputs = make_notebook()
    for act in ['sigmoid', 'relu']:
        print(f'  tenLayer {act}: first={ten[act][0]:.6g} last={ten[act][-1]:.6g}',
              {k: float(v) for k, v in outputs[act].items()})
    print('  ten-layer ReLU run all zeros:', all(v == 0 for v in ten['relu']))
    make_network()
    make_correlation()
    make_histograms()
    make_inits()
    with open(os.path.join(FIXTURES, 'README.md'), 'w') as fh:
        fh.write(README)
    print('wrote tests/fixtures/README.md')


if __name__ == '__main__':
    main()
