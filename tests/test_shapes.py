"""Set-up shapes: what the user's model does to its inputs, and (with
hypothesis) every shape of model, output and batch the contract allows.

The data probe judges the input scale as the first weight layer sees the
inputs: a model that standardises them inside forward() has normalised
inputs, while one that merely reshapes or reorders them has not changed
their scale.
"""
from __future__ import annotations

import torch
from torch import nn

from loss_advisor.probes.data import in_model_view


def test_values_changed_on_the_way_are_the_view():
    x = torch.arange(24.0).reshape(4, 6) * 40
    seen = (x - x.mean(0)) / x.std(0)
    view = in_model_view(x, seen)
    assert view is not None and view.shape == x.shape
    assert torch.allclose(view, seen)


def test_reshaped_or_reordered_inputs_are_not_a_transformation():
    x = torch.rand(4, 3, 5, 5) * 255
    assert in_model_view(x, x.flatten(1)) is None                    # nn.Flatten before the first Linear
    assert in_model_view(x, x.permute(0, 2, 3, 1).contiguous()) is None   # channels-last
    assert in_model_view(x, None) is None


def test_a_layer_that_sees_something_else_is_not_a_view():
    x = torch.rand(8, 10)
    assert in_model_view(x, torch.rand(8, 32)) is None               # an embedding's output, another input
    assert in_model_view(x, torch.randint(0, 5, (8, 10))) is None    # integer values


def test_first_layer_input_stops_at_the_first_weight_layer():
    from loss_advisor.probes.data import first_layer_input
    from loss_advisor.probing.harness import Harness
    from loss_advisor.probing.target import Target

    calls = []

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.full((6,), 100.0))
            self.body = nn.Sequential(nn.Dropout(0.5), nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))

        def forward(self, x):
            out = self.body(x - self.mean)
            calls.append("finished")
            return out

    x = torch.rand(16, 6) + 100
    target = Target(model=Net(), loss_fn=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
                    train_data=[(x, torch.zeros(16, dtype=torch.long))])
    h = Harness(target, "cpu")
    seen = first_layer_input(h, x)
    assert torch.allclose(seen, x - 100)          # Dropout is off: the values as they are, not rescaled
    assert calls == []                            # the forward pass stopped at the first Linear


def test_non_finite_inputs_passed_through_are_not_a_transformation():
    x = torch.rand(8, 5)
    x[0, 0] = float("nan")
    x[1, 1] = float("inf")
    assert in_model_view(x, x.clone()) is None


def test_a_cast_to_half_precision_is_not_a_transformation():
    x = torch.randn(8, 5) * 300
    assert in_model_view(x, x.to(torch.bfloat16)) is None
    assert in_model_view(x, (x / 255).to(torch.bfloat16)) is not None

