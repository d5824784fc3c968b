"""The data the example scripts train on: scikit-learn's handwritten digits
(8x8 grey images, 10 classes, bundled with scikit-learn: no download)."""
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def digits(seed=0, standardise=True):
    """(x_train, x_val, y_train, y_val) as float32 features and int64 labels."""
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
    if standardise:
        mean, std = x_train.mean(0), x_train.std(0)
        std[std == 0] = 1.0      # pixels that are blank in every training image stay as they are
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    return (x_train.astype(np.float32), x_val.astype(np.float32),
            y_train.astype(np.int64), y_val.astype(np.int64))
