"""Hand check: train a case briefly with the reference loop or its own train_step."""
import importlib.util, sys, math
import torch

def load(path):
    spec = importlib.util.spec_from_file_location("c", path)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

def split(t, b):
    if "split_batch" in t: return t["split_batch"](b)
    return b

def call(model, x):
    if isinstance(x, dict): return model(**x)
    if isinstance(x, (tuple, list)): return model(*x)
    return model(x)

def run(path, epochs=10, use_step=True, every=None):
    t = load(path).target(0)
    model, lf = t["model"], t["loss_fn"]
    opt = t["optimizer"](model.parameters())
    sch = t["scheduler"](opt) if "scheduler" in t else None
    interval = t.get("scheduler_interval", "epoch")
    hist = []
    for ep in range(epochs):
        tot, n = 0.0, 0
        for b in t["train_data"]:
            if use_step and "train_step" in t:
                l = t["train_step"](model, b, opt, lf)
                l = float(l)
            else:
                model.train(); x, y = split(t, b)
                opt.zero_grad(); l = lf(call(model, x), y); l.backward(); opt.step(); l = l.item()
            if sch is not None and interval == "step": sch.step()
            tot += l; n += 1
        if sch is not None and interval == "epoch": sch.step()
        hist.append(tot / n)
    # eval accuracy / spread of predictions on val
    model.eval(); extra = ""
    data = t.get("val_data") or t["train_data"]
    with torch.no_grad():
        outs, ys = [], []
        for b in data:
            x, y = split(t, b); o = call(model, x)
            if isinstance(o, (tuple, list)): o = o[0]
            outs.append(o.float()); ys.append(y)
        o = torch.cat(outs); y = torch.cat(ys)
        vl = float(lf(o, y)) if o.shape[0] == y.shape[0] else float('nan')
        extra = f"val_loss={vl:.4g} pred_std_over_inputs={o.std(0).mean():.3g}"
        if o.dim() == 2 and o.shape[1] > 1 and y.dtype == torch.long:
            extra += f" val_acc={(o.argmax(1)==y).float().mean():.3f}"
    print(path.split('/')[-1], "use_step" if use_step else "ref", "loss/epoch:", " ".join(f"{h:.4g}" for h in hist), "|", extra)

if __name__ == "__main__":
    p = sys.argv[1]; ep = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(1)
    run(p, ep, use_step=True)
    if "--ref" in sys.argv: run(p, ep, use_step=False)
