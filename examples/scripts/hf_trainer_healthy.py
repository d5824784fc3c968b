"""A healthy Hugging Face Trainer run, with a tiny model built from its config
and randomly initialised (nothing is downloaded): by default a GPT-2 (two
blocks, width 32, 64 tokens) learning generated counting sequences of varied
lengths, padded at the end with an attention mask and -100 labels on the
padding; with --model bert, a BERT of the same size classifying those
sequences by the third of the vocabulary they start in, its attention
masking the padding.
AdamW with warmup and a cosine decay, evaluation every 25 steps.

    python hf_trainer_healthy.py --max-steps 100
    python hf_trainer_healthy.py --model bert
    python hf_trainer_healthy.py --loss-advisor text --report report.md   # with the callback
"""
import argparse
import os
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from transformers import (BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel, Trainer,
                          TrainingArguments)

VOCAB, LENGTH, PAD = 64, 16, 0


class Counting(torch.utils.data.Dataset):
    """Sequences that count up by 1, 2 or 3 (mod VOCAB-1) from a random
    token, 6 to 16 tokens long, padded to 16: each next token is learnable."""

    def __init__(self, n, seed, classify=False):
        g = torch.Generator().manual_seed(seed)
        start = torch.randint(0, VOCAB - 1, (n, 1), generator=g)
        stride = torch.randint(1, 4, (n, 1), generator=g)
        # --model bert: which third of the vocabulary the sequence starts in
        self.classify, self.third = classify, start[:, 0] * 3 // (VOCAB - 1)
        ids = (start + stride * torch.arange(LENGTH)) % (VOCAB - 1) + 1
        lengths = torch.randint(6, LENGTH + 1, (n, 1), generator=g)
        self.mask = (torch.arange(LENGTH) < lengths).long()
        self.ids = ids * self.mask                         # PAD after each sequence's end
        self.labels = torch.where(self.mask.bool(), self.ids, torch.full_like(self.ids, -100))

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        labels = self.third[i] if self.classify else self.labels[i]
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": labels}


def build_model(kind="gpt2"):
    if kind == "bert":
        config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=64, max_position_embeddings=LENGTH, num_labels=3, pad_token_id=PAD)
        return BertForSequenceClassification(config)
    config = GPT2Config(vocab_size=VOCAB, n_positions=LENGTH, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=PAD, eos_token_id=PAD, pad_token_id=PAD)
    return GPT2LMHeadModel(config)


def target(seed=0, model="bert"):
    """The same set-up for `loss-advisor probe hf_trainer_healthy.py:target`."""
    torch.manual_seed(seed)
    data = torch.utils.data.DataLoader(Counting(512, seed=0, classify=model == "bert"), batch_size=16, shuffle=True)
    if model == "bert":
        loss_fn = lambda out, y: torch.nn.functional.cross_entropy(out.logits, y)      # noqa: E731
    else:
        loss_fn = lambda out, y: torch.nn.functional.cross_entropy(                    # noqa: E731
            out.logits[:, :-1].reshape(-1, VOCAB), y[:, 1:].reshape(-1), ignore_index=-100)
    return {"model": build_model(model), "loss_fn": loss_fn, "train_data": data,
            "optimizer": lambda params: torch.optim.AdamW(params, lr=2e-3),
            "split_batch": lambda b: ({"input_ids": b["input_ids"], "attention_mask": b["attention_mask"]}, b["labels"]),
            "task": "classification" if model == "bert" else "language_modeling", "ignore_index": -100}


def main(prepare=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["gpt2", "bert"], default="gpt2")
    parser.add_argument("--max-steps", type=int, default=100)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=10, help="warmup steps")
    parser.add_argument("--loss-advisor", choices=["text", "json"], default=None,
                        help="diagnose the run with loss-advisor's callback, printed in this format")
    parser.add_argument("--report", default=None, help="with --loss-advisor: write the Markdown report here")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = build_model(args.model)
    if prepare is not None:
        prepare(model)
    callbacks = []
    if args.loss_advisor:
        from loss_advisor.integrations.huggingface import LossAdvisorCallback
        callbacks.append(LossAdvisorCallback(format=args.loss_advisor, report=args.report, lang="en"))
    training = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="hf-trainer-"), max_steps=args.max_steps,
                                 per_device_train_batch_size=16, per_device_eval_batch_size=64,
                                 learning_rate=args.lr, warmup_steps=args.warmup, lr_scheduler_type="cosine",
                                 eval_strategy="steps", eval_steps=25, logging_steps=25, save_strategy="no",
                                 report_to=[], use_cpu=True, seed=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=training, train_dataset=Counting(1024, seed=0, classify=args.model == "bert"),
                      eval_dataset=Counting(128, seed=1, classify=args.model == "bert"), callbacks=callbacks)
    try:
        trainer.train()
    except Exception as exc:
        if callbacks:     # the Trainer has no hook for errors: ask for the diagnosis of what was recorded
            callbacks[0].diagnose(exc)
        raise


if __name__ == "__main__":
    main()
