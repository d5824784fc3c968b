import sys, glob, importlib.util, torch
torch.set_num_threads(1)
def load(p):
    s = importlib.util.spec_from_file_location("c", p); m = importlib.util.module_from_spec(s); s.loader.exec_module(m); return m
def first_loss(t):
    split = t.get("split_batch") or (lambda b: (b[0], b[1]))
    data = t.get("val_data") or t["train_data"]
    b = next(iter(data)); x, y = split(b); m = t["model"]; m.eval()
    with torch.no_grad():
        out = m(**x) if isinstance(x, dict) else m(*x) if isinstance(x, (tuple, list)) else m(x)
        return float(t["loss_fn"](out, y))
for p in sorted(glob.glob("cases/*.py")):
    m = load(p)
    a, b, c = first_loss(m.target(seed=0)), first_loss(m.target(seed=0)), first_loss(m.target(seed=1))
    t = m.target()
    rows = sum(len(bb[0]) if not isinstance(bb, dict) else len(next(iter(bb.values()))) for bb in t["train_data"])
    n = sum(q.numel() for q in t["model"].parameters())
    print(f"{p[6:]:32s} same={a==b} seed1_differs={a!=c} rows={rows} params={n}")
