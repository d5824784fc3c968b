"""Train each case briefly by hand (reference loop, or the case's own train_step) and print figures.

usage: OMP_NUM_THREADS=1 python check_by_hand.py [--epochs N] [--seed S] [--ref] case.py [...]
"""
import importlib.util, math, sys, time
import torch


def load(path, seed=0):
    spec = importlib.util.spec_from_file_location("case_mod", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.target(seed=seed)


def call(model, inputs):
    if isinstance(inputs, dict):
        return model(**inputs)
    if isinstance(inputs, (tuple, list)):
        return model(*inputs)
    return model(inputs)


def evaluate(t, loader):
    model, loss_fn = t["model"], t["loss_fn"]
    split = t.get("split_batch") or (lambda b: (b[0], b[1]))
    was = model.training
    model.eval()
    tot, n, correct, cnt = 0.0, 0, 0, 0
    with torch.no_grad():
        for b in loader:
            x, y = split(b)
            out = call(model, x)
            tot += float(loss_fn(out, y)); n += 1
            if t.get("task") in ("classification",) and out.dim() == 2 and y.dim() == 1:
                correct += int((out.argmax(1) == y).sum()); cnt += len(y)
            if t.get("task") == "binary":
                pred = (out > 0).float() if out.min() < 0 or out.max() > 1 else (out > 0.5).float()
                correct += int((pred == y).sum()); cnt += y.numel()
    model.train(was)
    return tot / max(n, 1), (correct / cnt if cnt else None)


def run(path, epochs, force_ref, seed=0):
    t = load(path, seed)
    model, loss_fn = t["model"], t["loss_fn"]
    opt = t["optimizer"](model.parameters())
    sched = t["scheduler"](opt) if t.get("scheduler") else None
    interval = t.get("scheduler_interval", "epoch")
    split = t.get("split_batch") or (lambda b: (b[0], b[1]))
    step = None if force_ref else t.get("train_step")
    hist = []
    t0 = time.time()
    for ep in range(epochs):
        losses = []
        if step is None:
            model.train()
        for b in t["train_data"]:
            if step is not None:
                l = step(model, b, opt, loss_fn)
                l = float(l.detach()) if torch.is_tensor(l) else float(l)
            else:
                x, y = split(b)
                opt.zero_grad()
                loss = loss_fn(call(model, x), y)
                loss.backward()
                opt.step()
                l = float(loss.detach())
            losses.append(l)
            if sched is not None and interval == "step":
                sched.step()
        if sched is not None and interval == "epoch":
            sched.step()
        fin = [v for v in losses if math.isfinite(v)]
        hist.append((sum(fin) / len(fin) if fin else float("nan"), len(fin) < len(losses),
                     (max(fin) - min(fin)) if fin else float("nan")))
    tr = evaluate(t, t["train_data"])
    va = evaluate(t, t["val_data"]) if t.get("val_data") is not None else None
    name = path.split("/")[-1]
    ep_str = " ".join(f"{m:.4g}{'!' if bad else ''}" for m, bad, _ in hist)
    print(f"{name} [{'ref' if step is None else 'own step'}] epoch-mean: {ep_str}")
    print(f"   last-epoch batch range {hist[-1][2]:.3g}; eval train loss/acc {tr}; val {va}; {time.time()-t0:.1f}s")


if __name__ == "__main__":
    args = sys.argv[1:]
    epochs, ref = 8, False
    if "--epochs" in args:
        i = args.index("--epochs"); epochs = int(args[i + 1]); del args[i:i + 2]
    seed = 0
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    if "--ref" in args:
        args.remove("--ref"); ref = True
    torch.set_num_threads(1)
    for p in args:
        run(p, epochs, ref, seed)
