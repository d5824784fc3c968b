"""The Hugging Face Trainer run of hf_trainer_healthy.py with every parameter
frozen: `model.requires_grad_(False)`, meant for the pre-trained body before
a new part is trained, was applied to the whole model. The Trainer hands its
optimizer no parameter, and the first backward() fails with "element 0 of
tensors does not require grad". (Fix: freeze only what should stay fixed,
after building what should learn.)

    python hf_trainer_frozen.py --max-steps 100
"""
from hf_trainer_healthy import main

if __name__ == "__main__":
    main(prepare=lambda model: model.requires_grad_(False))
