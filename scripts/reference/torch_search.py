#!/usr/bin/env python3
"""The engine's race request written in PyTorch the way a competent user would (scripts/race runs it).

Same weights: the committed ONNX files of mnist-flow-s and mnist-classifier, loaded into the training scripts'
modules (scripts/train). Same candidates: the noises the engine's Philox stream wrote to a .npy file
(RaceEngine search --noise-out). Same request: random search over the N candidates, Euler x10 over each batch,
the classifier verifier's score log p(class | x) = log_softmax(logits)[class] (verify/ClassifierVerifier), the
first argmax, and the winner's noise solved again with Euler x25 and scored. Guidance, time grid and velocity
convention as the engine applies them (sampling/GuidedDenoiser, schedule/RectifiedFlow, sampling/Sampler).

Modes (each prints one JSON object on stdout):
  check   the loaded modules against their folder's golden.json, and the traced variants against eager (< 1e-4)
  search  --noise FILE.npy: rounds of the whole request, per-round wall ms, the winner and its scores
  randn   torch.randn into a [4096, 4096] float32 tensor: elements per second (the engine's noise yardstick)
Variants: eager; traced (torch.jit.trace + freeze); optimized (traced + torch.jit.optimize_for_inference).

Run with Debian's Python (/usr/bin/python3): python3-torch, python3-onnx, python3-numpy.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

REPO = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ beside the training scripts: a race writes only to its --out
sys.path.insert(0, str(REPO / "scripts" / "train"))

import flow  # noqa: E402  (the training scripts' modules)
import mnist_classifier  # noqa: E402

DENOISER = "mnist-flow-s"
CLASSIFIER = "mnist-classifier"
VARIANTS = ("eager", "traced", "optimized")
TOLERANCE = 1e-4


def fail(message: str) -> None:
    """One line naming the problem, exit 2 (bad input), as the engine's tools do."""
    print(f"torch_search: {message}", file=sys.stderr)
    sys.exit(2)


# ------------------------------------------------------------------------------------------------ weights
def onnx_arrays(path: Path) -> dict[str, np.ndarray]:
    """The graph's initializers by state_dict name. torch.onnx exports GroupNorm's affine weight and bias as
    anonymous constants ("onnx::Mul_428") of its Mul and Add nodes; those are named by the node's scope
    ("/down.0.0/n1/Mul" -> "down.0.0.n1.weight")."""
    graph = onnx.load(str(path)).graph
    raw = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    named = {name: array for name, array in raw.items() if not name.startswith("onnx::")}
    for node in graph.node:
        if node.op_type not in ("Mul", "Add"):
            continue
        for name in node.input:
            if name in raw and name.startswith("onnx::"):
                scope = ".".join(node.name.strip("/").split("/")[:-1])
                named[f"{scope}.{'weight' if node.op_type == 'Mul' else 'bias'}"] = raw[name]
    return named


def load_weights(module: torch.nn.Module, path: Path) -> torch.nn.Module:
    """Copies the ONNX file's weights into the module; every parameter and buffer must be found, with its size."""
    arrays = onnx_arrays(path)
    state = module.state_dict()
    missing = [k for k in state if k not in arrays]
    unused = [k for k in arrays if k not in state]
    if missing or unused:
        raise SystemExit(f"torch_search: {path}: parameters not in the file {missing}, initializers not in the "
                         f"module {unused}")
    loaded = {}
    for key, tensor in state.items():
        array = arrays[key]
        if array.size != tensor.numel():
            raise SystemExit(f"torch_search: {path}: {key} has {array.size} values, the module wants "
                             f"{list(tensor.shape)}")
        loaded[key] = torch.from_numpy(array.copy()).reshape(tensor.shape).to(tensor.dtype)
    module.load_state_dict(loaded)
    return module.eval()


def manifest(models: Path, name: str) -> dict:
    return json.loads((models / name / "manifest.json").read_text())


def load_models(models: Path) -> tuple[torch.nn.Module, torch.nn.Module]:
    architecture = dict(manifest(models, DENOISER)["provenance"]["architecture"])
    architecture.pop("kind")
    denoiser = load_weights(flow.build(architecture), models / DENOISER / "model.onnx")
    classifier = load_weights(mnist_classifier.Classifier(), models / CLASSIFIER / "model.onnx")
    return denoiser, classifier


def compile_variant(variant: str, denoiser, classifier, batch: int):
    """The modules as the variant runs them: eager as loaded; traced at the request's batch and frozen; or that
    plus optimize_for_inference (MKLDNN convolutions, folded conv-add chains)."""
    if variant == "eager":
        return denoiser, classifier
    x = torch.zeros(batch, 1, 28, 28)
    t = torch.full((batch,), 0.5)
    label = torch.zeros(batch, dtype=torch.int64)
    with torch.no_grad():
        traced_denoiser = torch.jit.freeze(torch.jit.trace(denoiser, (x, t, label)))
        traced_classifier = torch.jit.freeze(torch.jit.trace(classifier, (x,)))
    if variant == "optimized":
        traced_denoiser = torch.jit.optimize_for_inference(traced_denoiser)
        traced_classifier = torch.jit.optimize_for_inference(traced_classifier)
    return traced_denoiser, traced_classifier


# ------------------------------------------------------------------------------------------------ the request
def time_grid(steps: int, shift: float) -> list[float]:
    """schedule/Schedule.grid(1, 0, steps) for rectified flow: u uniform from 1 to 0 (the last exactly 0),
    t = shift u / (1 + (shift - 1) u), in double precision."""
    grid = []
    for i in range(steps + 1):
        u = 0.0 if i == steps else 1.0 + (0.0 - 1.0) * i / steps
        grid.append(shift * u / (1 + (shift - 1) * u))
    return grid


class Search:
    """Random search over given noises, Euler x{search} per batch, classifier score, winner re-solved with Euler
    x{final}: the engine's RandomSearch with different search and final solvers (SearchContext.finish)."""

    def __init__(self, denoiser, classifier, label: int, guidance: float, null_class: int, shift: float,
                 search_steps: int, final_steps: int, batch: int):
        self.denoiser = denoiser
        self.classifier = classifier
        self.label = label
        self.guidance = guidance
        self.null_class = null_class
        self.search_grid = time_grid(search_steps, shift)
        self.final_grid = time_grid(final_steps, shift)
        self.batch = batch

    def velocity(self, x: torch.Tensor, t: float) -> torch.Tensor:
        rows = x.shape[0]
        times = torch.full((rows,), t, dtype=torch.float32)
        labels = torch.full((rows,), self.label, dtype=torch.int64)
        if self.guidance == 1.0 or self.label == self.null_class:
            return self.denoiser(x, times, labels)
        # Classifier-free guidance, the conditional and null-class passes in one batch: u + w (c - u).
        both = self.denoiser(torch.cat([x, x]), torch.cat([times, times]),
                             torch.cat([labels, torch.full_like(labels, self.null_class)]))
        cond, uncond = both[:rows], both[rows:]
        return uncond + self.guidance * (cond - uncond)

    def solve(self, x: torch.Tensor, grid: list[float]) -> torch.Tensor:
        for t, next_t in zip(grid[:-1], grid[1:]):
            x = x + (next_t - t) * self.velocity(x, t)  # Euler on the velocity v = eps - x0
        return x

    def score(self, x: torch.Tensor) -> torch.Tensor:
        # In double from the float32 logits, kept as float32, as ClassifierVerifier: near log p = 0 a float32
        # log_softmax rounds to steps of 6e-8, coarser than the gaps between the best candidates.
        return torch.log_softmax(self.classifier(x).double(), dim=1)[:, self.label].float()

    def run(self, noise: torch.Tensor) -> dict:
        scores = torch.empty(noise.shape[0])
        for start in range(0, noise.shape[0], self.batch):
            chunk = noise[start:start + self.batch]
            scores[start:start + chunk.shape[0]] = self.score(self.solve(chunk, self.search_grid))
        best = int(torch.argmax(scores))  # the first maximum, as the engine's Scores.argmax
        final = self.score(self.solve(noise[best:best + 1], self.final_grid))
        return {"index": best, "searchScore": float(scores[best]), "score": float(final[0])}


# ------------------------------------------------------------------------------------------------ modes
def golden_error(module, folder: Path) -> float:
    golden = json.loads((folder / "golden.json").read_text())
    inputs = []
    for spec in golden["inputs"].values():
        dtype = torch.int64 if spec["dtype"] == "int64" else torch.float32
        inputs.append(torch.tensor(spec["data"], dtype=dtype).reshape(spec["shape"]))
    (name, spec), = golden["outputs"].items()
    expected = torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])
    return float((module(*inputs) - expected).abs().max())


def check(args) -> dict:
    denoiser, classifier = load_models(args.models)
    report = {"tolerance": TOLERANCE, "golden": {}, "variants": {}}
    with torch.inference_mode():
        report["golden"][DENOISER] = golden_error(denoiser, args.models / DENOISER)
        report["golden"][CLASSIFIER] = golden_error(classifier, args.models / CLASSIFIER)
    generator = torch.Generator().manual_seed(5)
    for rows in (1, 3):
        x = torch.randn(rows, 1, 28, 28, generator=generator)
        t = torch.rand(rows, generator=generator)
        label = torch.randint(0, 11, (rows,), generator=generator)
        with torch.inference_mode():
            reference = (denoiser(x, t, label), classifier(x))
        for variant in VARIANTS[1:]:
            # Traced at another batch than it runs: the search traces at its batch and finishes at 1 row.
            d, c = compile_variant(variant, denoiser, classifier, 4)
            with torch.inference_mode():
                error = max(float((d(x, t, label) - reference[0]).abs().max()),
                            float((c(x) - reference[1]).abs().max()))
            report["variants"][f"{variant}@{rows}"] = error
    errors = list(report["golden"].values()) + list(report["variants"].values())
    report["ok"] = all(e < TOLERANCE for e in errors)
    return report


def search(args) -> dict:
    if not args.noise.is_file():
        fail(f"--noise: no file {args.noise}")
    noise = torch.from_numpy(np.load(args.noise))
    if noise.dtype != torch.float32 or noise.dim() != 4 or tuple(noise.shape[1:]) != (1, 28, 28):
        fail(f"--noise: {args.noise} holds {noise.dtype} {list(noise.shape)}, expected float32 [N, 1, 28, 28]")
    if args.batch < 1:
        fail(f"--batch must be at least 1, got {args.batch}")
    info = manifest(args.models, DENOISER)
    guidance = info["defaultGuidance"] if args.guidance is None else args.guidance
    denoiser, classifier = load_models(args.models)
    denoiser, classifier = compile_variant(args.variant, denoiser, classifier, min(args.batch, noise.shape[0]))
    request = Search(denoiser, classifier, args.label, guidance, info["condition"]["nullClass"],
                     info["schedule"].get("shift", 1.0), args.search_steps, args.final_steps, args.batch)
    rounds = []
    winners = []
    with torch.inference_mode():
        for round_index in range(args.warmup + args.rounds):
            start = time.perf_counter()
            winner = request.run(noise)
            elapsed = (time.perf_counter() - start) * 1000
            if round_index >= args.warmup:
                rounds.append(elapsed)
                winners.append(winner)
    if any(w["index"] != winners[0]["index"] for w in winners):
        raise SystemExit("torch_search: the rounds chose different winners: " + json.dumps(winners))
    return {"variant": args.variant, "threads": torch.get_num_threads(), "candidates": int(noise.shape[0]),
            "batch": args.batch, "label": args.label, "guidance": guidance, "roundsMs": rounds,
            "medianMs": statistics.median(rounds), "winner": winners[0], "torch": torch.__version__}


def randn(args) -> dict:
    out = torch.empty(args.size, args.size)
    rates = []
    for round_index in range(args.warmup + args.rounds):
        start = time.perf_counter()
        torch.randn(args.size, args.size, out=out)
        elapsed = time.perf_counter() - start
        if round_index >= args.warmup:
            rates.append(out.numel() / elapsed)
    return {"threads": torch.get_num_threads(), "elements": out.numel(), "elementsPerSecond": rates,
            "medianElementsPerSecond": statistics.median(rates), "torch": torch.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("check", "search", "randn"))
    parser.add_argument("--models", type=Path, default=REPO / "tensorrt-plans" / "models",
                        help="the folder of models (default: the repository's tensorrt-plans/models)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--variant", choices=VARIANTS, default="eager")
    parser.add_argument("--noise", type=Path, help="search: the candidates' noises, float32 [N, 1, 28, 28] .npy")
    parser.add_argument("--batch", type=int, default=64, help="search: candidate rows per solve")
    parser.add_argument("--class", dest="label", type=int, default=3, help="search: the class label")
    parser.add_argument("--guidance", type=float, default=None, help="search: CFG scale (default: the manifest's)")
    parser.add_argument("--search-steps", type=int, default=10)
    parser.add_argument("--final-steps", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="rounds before measuring (default 2)")
    parser.add_argument("--size", type=int, default=4096, help="randn: rows and columns (default 4096)")
    args = parser.parse_args()
    if args.threads < 1:
        fail(f"--threads must be at least 1, got {args.threads}")
    if args.rounds < 1 or args.warmup < 0:
        fail(f"--rounds must be at least 1 and --warmup at least 0, got {args.rounds} and {args.warmup}")
    if not (0 <= args.label < 10):
        fail(f"--class must lie in 0..9, got {args.label}")
    if not (args.models / DENOISER).is_dir() or not (args.models / CLASSIFIER).is_dir():
        fail(f"--models: {args.models} lacks {DENOISER} or {CLASSIFIER}")
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    result = {"check": check, "search": search, "randn": randn}[args.mode](args)
    print(json.dumps(result))
    if args.mode == "check" and not result["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
