"""Hand check: train a case with its own train_step (or the reference loop) and print per-epoch figures.
usage: check.py CASE.py [epochs] [NAME=VALUE ...]   (NAME=VALUE overrides module-level constants before target())
"""
import sys, importlib.util, math, os
import torch
torch.set_num_threads(1)
path = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 and "=" not in sys.argv[2] else 5
over = [a for a in sys.argv[2:] if "=" in a]
ref = os.environ.get("REF") == "1"
spec = importlib.util.spec_from_file_location("case", path)
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
for o in over:
    k, v = o.split("=", 1); setattr(mod, k, eval(v))
t = mod.target(seed=0)
model, loss_fn = t["model"], t["loss_fn"]
opt = t["optimizer"](model.parameters())
sched = t["scheduler"](opt) if t.get("scheduler") else None
interval = t.get("scheduler_interval", "epoch")
split = t.get("split_batch") or (lambda b: (b[0], b[1]))
step = None if ref else t.get("train_step")
ign = int(os.environ.get("IGN", t.get("ignore_index", -100)))

def call(m, x):
    if isinstance(x, dict): return m(**x)
    if isinstance(x, (tuple, list)): return m(*x)
    return m(x)

def acc_of(out, y):
    if isinstance(out, dict): out = out.get("logits", next(iter(out.values())))
    if isinstance(out, (tuple, list)): out = out[0]
    if not torch.is_tensor(out) or not torch.is_tensor(y): return float("nan")
    if y.dtype.is_floating_point and out.shape == y.shape and t.get("task") == "multilabel":
        return ((out > 0).float() == y).float().mean().item()
    if y.dtype.is_floating_point: return float("nan")
    if out.dim() == y.dim() + 1:
        p = out.argmax(-1); m = y != ign
        return (p[m] == y[m]).float().mean().item()
    return float("nan")

def evaluate(data):
    model.eval(); L = []; A = []
    with torch.no_grad():
        for b in data:
            x, y = split(b); out = call(model, x)
            L.append(float(loss_fn(out, y))); A.append(acc_of(out, y))
    model.train(); return sum(L)/len(L), sum(A)/len(A)

l0, a0 = evaluate(t["train_data"])
print(f"init train_loss={l0:.4f} acc={a0:.3f}")
for ep in range(epochs):
    model.train(); L = []
    for b in t["train_data"]:
        if step is not None:
            l = step(model, b, opt, loss_fn)
        else:
            x, y = split(b); opt.zero_grad(); l = loss_fn(call(model, x), y); l.backward(); opt.step()
        L.append(float(l.detach()) if torch.is_tensor(l) else float(l))
        if sched is not None and interval == "step":
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau): sched.step(float(l))
            else: sched.step()
    tl, ta = evaluate(t["train_data"])
    vs = ""
    if t.get("val_data") is not None:
        vl, va = evaluate(t["val_data"]); vs = f" val_loss={vl:.4f} val_acc={va:.3f}"
    else:
        vl = tl
    if sched is not None and interval == "epoch":
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau): sched.step(vl)
        else: sched.step()
    lr = opt.param_groups[0]["lr"]
    print(f"ep{ep+1} running={sum(L)/len(L):.4f} train_loss={tl:.4f} acc={ta:.3f}{vs} lr={lr:.2e}")
print("params", sum(p.numel() for p in model.parameters()), "trainable", sum(p.numel() for p in model.parameters() if p.requires_grad))
