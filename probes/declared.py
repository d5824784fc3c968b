"""What every probe measures, declared as data: each observation's unit and its
meaning in both languages. Torch-free, so that `kb check` and the report can
read the declarations without loading the probes (which import torch); each
probe class points at its own entry (`observations = DECLARED["name"]`).
"""
from __future__ import annotations

from loss_advisor.core import curves
from loss_advisor.core.observations import Observation, declare

DECLARED: dict[str, tuple[Observation, ...]] = {}

DECLARED["batch_mixing"] = declare(
    "batch_mixing",
    ("leak", "ratio", "gradient reaching other examples' inputs over the gradient on the example's own input", "他サンプルの入力に届く勾配 ÷ 自分の入力への勾配"),
    ("example", "index", "the example whose loss was traced", "勾配をたどったサンプルの位置"),
)

DECLARED["batch_noise"] = declare(
    "batch_noise",
    ("batch_size", "count", "your batch size", "あなたのバッチサイズ"),
    ("noise_scale", "examples", "gradient noise scale B_noise: the batch where noise equals signal", "勾配ノイズ尺度 B_noise(ノイズと信号が等しくなるバッチサイズ)"),
    ("noise_over_batch", "ratio", "B_noise (at most the data set's size) over your batch size", "B_noise(データセットの大きさが上限)÷ あなたのバッチサイズ"),
    ("cosine", "cosine", "mean cosine between a minibatch gradient and the large-batch gradient", "ミニバッチ勾配と大バッチ勾配のコサイン類似度の平均"),
)

DECLARED["capacity"] = declare(
    "capacity",
    ("user_loss", "loss", "held-out loss of your model after the reference training", "参照学習後のあなたのモデルの検証loss"),
    ("reference_loss", "loss", "held-out loss of the reference MLP after the same training", "同じ学習後の参照MLPの検証loss"),
    ("gap", "fraction", "share of your model's held-out loss the reference removes (1 - reference/yours)", "参照モデルが削減できるあなたのlossの割合(1 - 参照/あなた)"),
    ("segments_to_close", "count", "late-run stretches your model would need, at its late pace, to reach the reference's loss", "参照モデルのlossに届くのに必要な、終盤のペースでの学習区間の数"),
    ("user_late_drop", "fraction", "share of your model's loss lost over the last 40% of its training", "学習の最後の40%であなたのモデルのlossが下がった割合"),
)

DECLARED["data"] = declare(
    "data",
    ("examples", "count", "examples the statistics cover", "統計に使ったサンプル数"),
    ("input_is_index", "bool", "inputs are integer indices (token IDs), not features", "入力が特徴量ではなく整数インデックス(トークンID)"),
    ("input_nonfinite_fraction", "fraction", "share of input values that are NaN or inf", "入力のうちNaN/infの割合"),
    ("target_nonfinite_fraction", "fraction", "share of target values that are NaN or inf", "ターゲットのうちNaN/infの割合"),
    ("input_rms", "value", "root-mean-square of the input values", "入力値の二乗平均平方根"),
    ("input_abs_max", "value", "largest absolute input value", "入力の絶対値の最大"),
    ("input_scaled_in_model", "bool", "the model rescales its inputs before its first weight layer (the scale statistics are of what that layer sees)", "モデルが最初の重み層の前で入力をスケーリングしている(スケールの統計はその層が受け取る値のもの)"),
    ("raw_pixels", "bool", "inputs look like raw 0-255 pixel values", "入力が0〜255の生の画素値に見える"),
    ("feature_scale_ratio", "ratio", "largest over smallest feature scale (99th percentile of the deviation from the median)", "特徴量のスケール(中央値からの偏差の99パーセンタイル)の最大/最小比"),
    ("features", "count", "input features (columns or channels)", "入力特徴量(列またはチャネル)の数"),
    ("target_kind", "label", "class_index, binary, categorical_float, probabilities or continuous", "ターゲットの種類"),
    ("target_rms", "value", "root-mean-square of float targets", "浮動小数ターゲットの二乗平均平方根"),
    ("target_min", "value", "smallest class index", "クラスインデックスの最小値"),
    ("num_classes", "count", "distinct classes among the targets", "ターゲット中のクラス数"),
    ("imbalance_ratio", "ratio", "examples of the most frequent class per example of the rarest", "最多クラスと最少クラスのサンプル数の比"),
    ("minority_fraction", "fraction", "share of the rarest class", "最少クラスの割合"),
    ("order_grouping", "score", "0 when batches mix targets as at random, 1 when each batch holds one kind", "バッチ内のターゲットの偏り(0=ランダム, 1=完全に整列)"),
    ("same_order_each_pass", "bool", "two passes over train_data give the same first batches", "2回の走査で同じ順序のバッチが出る"),
    ("train_examples", "count", "examples in train_data (the dataset's length when known)", "train_dataのサンプル数(分かる場合はデータセットの長さ)"),
    ("params_per_example", "ratio", "trainable parameters per training example", "訓練サンプルあたりの学習可能パラメータ数"),
    ("sampler_shuffles", "bool", "the DataLoader's sampler draws in random order", "DataLoaderのサンプラーがランダム順"),
)

DECLARED["gradients"] = declare(
    "gradients",
    ("layers", "count", "weight layers in execution order", "実行順の重み層の数"),
    ("first_last_ratio", "ratio", "relative gradient (|grad|/|weight|) of the first weight layer over the last", "最初の重み層と最後の重み層の相対勾配(|勾配|/|重み|)の比"),
    ("max_relative_grad", "ratio", "largest |grad|/|weight| over weight layers", "重み層の |勾配|/|重み| の最大値"),
    ("grad_nonfinite", "bool", "some gradient is NaN or inf while the loss is finite", "lossが有限なのに勾配にNaN/infがある"),
    ("trainable_fraction", "fraction", "share of parameter values with requires_grad=True", "requires_grad=True のパラメータの割合"),
    ("trainable_weight_layers", "count", "weight layers whose weight matrix is trainable", "重み行列が学習可能な重み層の数"),
    ("optimizer_coverage", "fraction", "share of trainable parameter values the optimizer holds", "オプティマイザが保持する学習可能パラメータの割合"),
    ("no_grad_fraction", "fraction", "share of trainable, optimised parameter values that get no gradient", "勾配を受け取らない(学習対象の)パラメータの割合"),
    ("unchanged_fraction", "fraction", "share of trainable parameter values in tensors one optimizer step leaves unchanged", "1回の更新でまったく変化しないテンソルに属するパラメータの割合"),
    ("update_ratio_median", "ratio", "median over weight layers of |update|/|weight| after one step", "1ステップ後の |更新量|/|重み| の中央値"),
    ("update_ratio_max", "ratio", "largest |update|/|weight| after one step", "1ステップ後の |更新量|/|重み| の最大値"),
    ("first_last_update_ratio", "ratio", "|update|/|weight| of the first weight layer over the last, after one step (the watch: the first step that moved the last)",
     "1ステップ後の、最初の重み層と最後の重み層の |更新量|/|重み| の比(watchでは最後の層が動いた最初のステップ)"),
    ("dead_unit_fraction", "fraction", "share of ReLU units that are zero on every example of a batch", "バッチ内の全サンプルで0を出すReLUユニットの割合"),
    ("dead_layer_max", "fraction", "largest share of dead units in one layer", "1層あたりのdeadユニット割合の最大値"),
    ("relu_units", "count", "ReLU units measured", "測定したReLUユニット数"),
    ("activation_scale_ratio", "ratio", "output std of the last weight layer over that of the first", "最後の重み層と最初の重み層の出力標準偏差の比"),
    ("activation_scale_per_layer", "ratio", "the same ratio as a factor per weight layer (its geometric mean over the layers in between)", "同じ比を重み層1つあたりの倍率にしたもの(間の層での幾何平均)"),
    ("saturated_fraction", "fraction", "share of tanh/sigmoid outputs within 1% of their limits", "tanh/sigmoid出力のうち飽和域(上下限の1%以内)にある割合"),
    ("frozen_random_fraction", "fraction", "share of frozen weight layers whose weights still look like PyTorch's default random initialisation", "凍結された重み層のうち、重みがPyTorchの既定のランダム初期値のままに見えるものの割合"),
    ("unregistered_params", "count", "trainable parameter values in modules that run in forward but are not registered in the model (a plain Python list or dict), so no optimizer ever sees them", "forwardで使われるがモデルに登録されていない(Pythonのlistやdictに入れた)モジュールの学習可能パラメータ数"),
    ("unregistered_fraction", "fraction", "share of all trainable parameter values that are unregistered", "学習可能パラメータのうち未登録のものの割合"),
    ("recurrent_kind", "label", "the first recurrent layer: rnn (plain), gru or lstm", "最初の再帰層の種類: rnn(素のRNN)、gru、lstm"),
    ("time_grad_ratio", "ratio", "input gradient at the first tenth of the time steps over the last tenth (recurrent models)", "入力勾配の最初の1/10の時刻と最後の1/10の時刻の比(再帰モデル)"),
    ("symmetric_layers", "count", "hidden weight layers whose units all start with identical weights", "全ユニットの初期重みが同一の中間層の数"),
)

DECLARED["init_loss"] = declare(
    "init_loss",
    ("error_layer", "label", "the module (name and type) that raised inside the forward pass", "forwardの中でエラーを出したモジュール(名前と型)"),
    ("error_layer_expects", "count", "input features (Linear) or channels (convolution) the failing layer was defined for", "エラーを出した層が定義上受け取る入力の特徴数(Linear)またはチャネル数(畳み込み)"),
    ("error_layer_got", "count", "input features or channels the failing layer was given", "エラーを出した層に実際に渡された特徴数またはチャネル数"),
    ("error", "message", "the error the first forward pass, loss or backward raised (empty when none)", "最初のforward・loss・backwardで発生したエラー(なければ空)"),
    ("task", "label", "classification, binary, multilabel, regression, segmentation, sequence or language_modeling (declared or inferred)", "タスクの種類(classification・binary・multilabel・regression・segmentation・sequence・language_modeling、指定または推定)"),
    ("loss_kind", "label", "what the loss function expects: cross_entropy, nll, bce, bce_with_logits, regression, kl_div or custom", "損失関数が想定する入力の種類"),
    ("output_kind", "label", "what the model outputs look like: logits, probabilities, log_probabilities or unit_interval", "モデル出力の形式(logits・確率・対数確率・0〜1)"),
    ("loss_initial", "loss", "the loss on the first batch before any update", "更新前の最初のバッチのloss"),
    ("expected_loss", "loss", "the loss the task implies for an untrained model (ln C for C classes)", "未学習モデルでタスクから期待されるloss(C クラスなら ln C)"),
    ("initial_loss_ratio", "ratio", "initial loss over the expected loss", "初期loss ÷ 期待されるloss"),
    ("ideal_loss_ratio", "ratio", "loss of perfect outputs over the initial loss (near 0 when the loss fits the targets)", "理想的な出力でのloss ÷ 初期loss(損失関数がターゲットに合えば0に近い)"),
    ("loss_requires_grad", "bool", "the loss is connected to the graph (has a gradient)", "lossが計算グラフにつながっている(勾配を持つ)"),
    ("grad_nonzero_fraction", "fraction", "share of trainable parameter values that get a non-zero gradient", "非ゼロの勾配を受け取る学習可能パラメータの割合"),
    ("loss_batch_scaling", "ratio", "loss of a batch over the mean loss of its halves (1 when averaged, 2 when summed)", "バッチのloss ÷ 半分ずつのlossの平均(平均なら1、合計なら2)"),
    ("shape_warning", "bool", "PyTorch warned that target and output sizes differ (silent broadcasting)", "ターゲットと出力のサイズ違いをPyTorchが警告(暗黙のブロードキャスト)"),
    ("targets_look_categorical", "bool", "float targets that hold a few whole numbers (class labels)", "少数の整数値だけを取る浮動小数ターゲット(クラスラベル)"),
    ("trainable_params", "count", "parameter values with requires_grad=True", "requires_grad=True のパラメータ数"),
    ("class_weights", "bool", "the loss carries class weights (weight or pos_weight)", "損失関数にクラス重み(weight / pos_weight)がある"),
    ("output_classes", "count", "size of the output's class dimension", "出力のクラス次元の大きさ"),
)

DECLARED["input_baseline"] = declare(
    "input_baseline",
    ("real_gain", "fraction", "how much lower the best held-out loss is with real inputs than with zeroed ones", "ゼロ入力に比べて本物の入力で最良の検証lossがどれだけ低いか"),
    ("train_gain", "fraction", "how much lower the training loss is with real inputs than with zeroed ones", "ゼロ入力に比べて本物の入力で訓練lossがどれだけ低いか"),
    ("input_grad_zero", "bool", "the loss has exactly zero gradient with respect to the inputs", "入力に対するlossの勾配が厳密に0"),
)

DECLARED["labels"] = declare(
    "labels",
    ("noise_rate", "fraction", "estimated share of wrong labels (confident learning)", "誤ったラベルの推定割合(Confident Learning)"),
    ("heldout_accuracy", "fraction", "accuracy of the cross-validated predictions on the given labels", "交差検証予測の正解率(与えられたラベルに対して)"),
    ("classes", "count", "classes among the labels", "ラベルのクラス数"),
    ("accuracy_over_majority", "ratio", "cross-validated accuracy over the share of the commonest class", "交差検証の正解率 ÷ 最多クラスの割合"),
    ("suspicious", "count", "examples counted as likely mislabelled", "誤ラベルの可能性が高いと数えたサンプル数"),
    ("examples", "indices", "a few of the most suspicious examples (dataset indices when known)", "特に疑わしいサンプルの例(分かればデータセットのインデックス)"),
)

DECLARED["lr_sweep"] = declare(
    "lr_sweep",
    ("user_lr", "lr", "your learning rate (the largest of the optimizer's groups)", "あなたの学習率(パラメータグループ中の最大値)"),
    ("suggested_lr", "lr", "the suggested learning rate (where the steepest descent of the smoothed curve ends)", "推奨学習率(平滑化曲線の最も急な下降が終わる点)"),
    ("min_loss_lr", "lr", "learning rate at the lowest smoothed loss", "平滑化lossが最小になる学習率"),
    ("divergence_lr", "lr", "learning rate at which the loss diverged (absent if it never did)", "lossが発散した学習率(発散しなければ無し)"),
    ("descent_start_lr", "lr", "learning rate at which the loss starts to fall", "lossが下がり始める学習率"),
    ("diverged_at_start", "bool", "the loss diverged within the first decade of the sweep: no rate was safe", "スイープの最初の1桁で発散した(安全な学習率が無い)"),
    ("user_over_suggested", "ratio", "your learning rate over the suggested one", "あなたの学習率 ÷ 推奨学習率"),
    ("user_over_divergence", "ratio", "your learning rate over the divergence point", "あなたの学習率 ÷ 発散点の学習率"),
    ("user_over_min_loss", "ratio", "your learning rate over the rate at the lowest loss", "あなたの学習率 ÷ lossが最小になる学習率"),
    ("loss_at_user_vs_start", "fraction", "where the sweep's loss stands at your rate: 0 at its minimum, 1 back where it started", "あなたの学習率でのスイープのlossの位置(0=最小値、1=開始時の値)"),
    ("user_over_descent_start", "ratio", "your learning rate over the rate at which the loss starts to fall", "あなたの学習率 ÷ lossが下がり始める学習率"),
    ("loss_drop", "fraction", "how far the loss fell at best during the sweep (share of its start)", "スイープ中にlossが最大でどれだけ下がったか(開始値に対する割合)"),
    ("steps", "count", "steps the sweep ran", "スイープのステップ数"),
)

DECLARED["overfit_batch"] = declare(
    "overfit_batch",
    ("user_ratio", "ratio", "final over initial loss on the batch with your optimizer", "あなたのオプティマイザでの最終loss ÷ 初期loss"),
    ("reference_ratio", "ratio", "final over initial loss with the reference Adam", "参照用Adamでの最終loss ÷ 初期loss"),
    ("outcome", "label", "who memorised the batch: user, reference_only or neither", "バッチを記憶できたのは誰か: user / reference_only / neither"),
    ("examples", "count", "examples in the batch", "バッチのサンプル数"),
)

DECLARED["regularization"] = declare(
    "regularization",
    ("weight_decay", "value", "the largest weight decay among the optimizer's groups", "オプティマイザのweight decayの最大値"),
    ("dropout", "value", "the largest Dropout probability in the model", "モデル中のDropout確率の最大値"),
    ("train_gain", "fraction", "how much lower the training loss ends without regularisation", "正則化を外したときに訓練lossがどれだけ下がるか"),
    ("heldout_gain", "fraction", "how much lower the held-out loss ends without regularisation", "正則化を外したときに検証lossがどれだけ下がるか"),
)

DECLARED["sequence"] = declare(
    "sequence",
    ("padding_fraction", "fraction", "share of target positions that are padding (of input positions when the targets hold none)", "ターゲットの位置のうちパディングの割合(ターゲットに無ければ入力の位置のうちの割合)"),
    ("padding_value", "value", "the target value that marks padding", "パディングを表すターゲットの値"),
    ("padding_source", "label", "how the padding value was found: declared (ignore_index), loss (the loss's ignore_index) or inferred (fills the tail of most rows)", "パディングの値をどう見つけたか: declared(ignore_index)、loss(損失関数のignore_index)、inferred(多くの行の末尾を埋める値)"),
    ("padding_loss_share", "ratio", "change of the loss per padding position over its change per real position, when the outputs move there only (0 when the loss ignores padding, about 1 when it counts it)", "出力をその位置だけ動かしたときの、パディング1位置あたりのlossの変化 ÷ 本物の位置1つあたりの変化(無視されていれば0、数えられていれば約1)"),
    ("input_padding_fraction", "fraction", "share of token positions in the inputs that are padding", "入力のトークン位置のうちパディングの割合"),
    ("attention_layers", "count", "attention modules in the model", "モデル中のアテンションモジュールの数"),
    ("mask_ignores_real", "fraction", "share of real tokens that the key-padding mask handed to an attention module marks as ignored", "アテンションモジュールに渡されたkey padding maskが「無視」とする本物のトークンの割合"),
    ("mask_ignores_padding", "fraction", "share of padding tokens that the key-padding mask marks as ignored", "key padding maskが「無視」とするパディングトークンの割合"),
    ("padding_influence", "ratio", "relative change of the outputs at real positions when only the padding tokens change", "パディングのトークンだけを変えたときの、本物の位置の出力の相対変化"),
    ("context_influence", "ratio", "relative change of the output at each row's last real position when the other real tokens change (outputs per position)", "他の本物のトークンを変えたときの、各行の最後の本物の位置の出力の相対変化(位置ごとの出力)"),
)

DECLARED["regularization_fit"] = declare(
    "regularization_fit",
    ("ratio", "ratio", "the batch's loss (eval mode) after over before fitting one small batch with your weight decay and Dropout", "あなたのweight decayとDropoutのまま小さな1バッチを学習したときの、学習後 ÷ 学習前のそのバッチのloss(evalモード)"),
    ("decay_per_step", "fraction", "share of every weight that weight decay removes per step (lr x weight_decay; AdamW and SGD)", "weight decayが1ステップで各重みから取り除く割合(lr × weight_decay、AdamWとSGD)"),
    ("lifted_ratio", "ratio", "the same with weight decay and Dropout set to zero", "weight decayとDropoutを0にして同じことをしたときの比"),
    ("weight_decay", "value", "the largest weight decay among the optimizer's groups", "オプティマイザのweight decayの最大値"),
    ("dropout_max", "value", "the largest Dropout probability in the model", "モデル中のDropout確率の最大値"),
    ("dropout_min", "value", "the smallest Dropout probability in the model", "モデル中のDropout確率の最小値"),
    ("examples", "count", "examples in the batch", "バッチのサンプル数"),
)

DECLARED["schedule"] = declare(
    "schedule",
    ("scheduler", "label", "class of the learning-rate scheduler", "学習率スケジューラのクラス"),
    ("stepped_per_batch", "bool", "scheduler.step() ran after (nearly) every optimizer step, not once per pass over the data", "scheduler.step()がデータ1周ごとではなく(ほぼ)毎回のoptimizerステップの後に呼ばれた"),
    ("steps", "count", "optimizer steps whose learning rate was read (watched, or simulated over the planned stepping)", "学習率を読んだoptimizerのステップ数(監視した、または予定どおりの進め方で模擬した)"),
    ("horizon_epochs", "epochs", "passes over the training data those steps cover", "それらのステップがカバーする訓練データの周回数"),
    ("collapse_step", "step", "first step at which the rate is at most 1% of the highest rate before it (absent when it never is)", "学習率がそれ以前の最大値の1%以下になった最初のステップ(なければ無し)"),
    ("collapse_epochs", "epochs", "passes over the training data before the rate fell to 1% of its peak (absent when it never did)", "学習率がピークの1%まで下がるまでの訓練データの周回数(下がらなければ無し)"),
    ("start_over_peak", "ratio", "learning rate of the first step over the highest rate of the steps read (1 without warmup)", "最初のステップの学習率 ÷ 読んだステップ中の最大の学習率(ウォームアップ無しなら1)"),
    ("recovers", "bool", "after falling to 1% of its peak, the rate climbs back above 10% of it within the steps read (a cyclic schedule, warm restarts)", "ピークの1%まで下がった後、読んだステップの中で学習率がピークの10%超まで戻る(周期的なスケジュール、ウォームリスタート)"),
)

DECLARED["step_setup"] = declare(
    "step_setup",
    ("error", "message", "the error your training step raised while audited (empty when none)", "監査中にあなたの学習ステップで発生したエラー(なければ空)"),
    ("calls", "count", "optimizer steps of your training step that were audited", "監査した、あなたの学習ステップによるoptimizerのステップ数"),
    ("autocast_dtype", "label", "dtype autocast ran the training forward pass in (none without autocast)", "学習のforwardをautocastが実行したdtype(autocastなしならnone)"),
    ("param_dtype", "label", "dtype that holds most trainable parameter values", "学習可能パラメータの大部分のdtype"),
    ("half_param_fraction", "fraction", "share of trainable parameter values stored in float16 or bfloat16", "float16またはbfloat16で保持される学習可能パラメータの割合"),
    ("eps_lost", "bool", "the optimizer's eps rounds to zero in the parameters' dtype (Adam's 1e-8 in float16)", "オプティマイザのepsがパラメータのdtypeでは0に丸められる(float16でのAdamの1e-8)"),
    ("scaler_used", "bool", "an enabled GradScaler scaled the loss", "有効なGradScalerがlossをスケーリングした"),
    ("scaler_step_fraction", "fraction", "share of optimizer steps taken through scaler.step() or after scaler.unscale_()", "scaler.step()経由、またはscaler.unscale_()の後に行われたoptimizerステップの割合"),
    ("skipped_fraction", "fraction", "share of scaler.step() calls that skipped the optimizer step (inf or NaN gradients)", "optimizerのステップを飛ばしたscaler.step()呼び出しの割合(勾配にinf/NaN)"),
    ("grad_zero_fraction", "fraction", "median share of gradient values that are exactly zero at a step", "ステップ時点で厳密に0の勾配値の割合(中央値)"),
    ("grad_nonfinite_fraction", "fraction", "share of sampled steps whose gradients hold inf or NaN", "勾配にinf/NaNを含んでいたステップの割合"),
    ("underflow_fraction", "fraction", "share of the gradient values a float32 backward gives as non-zero that your step's precision gives as exactly zero (same weights, same batch)", "同じ重み・同じバッチで、float32のbackwardでは非ゼロなのにあなたのステップの精度では厳密に0になる勾配値の割合"),
    ("micro_steps", "count", "backward passes per optimizer step (median)", "optimizerの1ステップあたりのbackwardの回数(中央値)"),
    ("loss_scale_times_micro", "ratio", "the value handed to backward() over the loss the loss function returned, times the backward passes per step (1 when the loss is divided by their number, N when it is not)", "backward()に渡した値 ÷ 損失関数が返したloss × 1ステップあたりのbackward回数(回数で割っていれば1、割っていなければN)"),
    ("zeroed_inside_fraction", "fraction", "share of steps with several backward passes whose gradients were cleared between two of them", "複数回のbackwardを持つステップのうち、その間で勾配が消去されたものの割合"),
    ("clip_calls_per_step", "count", "clip_grad_norm_ / clip_grad_value_ calls per optimizer step", "optimizerの1ステップあたりのclip_grad_norm_/clip_grad_value_の呼び出し回数"),
    ("clipped_fraction", "fraction", "share of clipping calls that shrank the gradient", "勾配を縮めたクリッピング呼び出しの割合"),
    ("clip_ratio_median", "ratio", "median over clipping calls of the gradient norm after over before", "クリッピング後 ÷ 前の勾配ノルムの中央値"),
    ("clip_before_unscale_fraction", "fraction", "share of clipping steps that clipped gradients still multiplied by the GradScaler's factor (before unscale_)", "GradScalerの倍率が掛かったままの勾配を(unscale_の前に)クリップしたステップの割合"),
    ("adaptive_optimizer", "bool", "the optimizer divides each update by a running gradient scale (Adam and its relatives), so a constant factor on every gradient cancels", "オプティマイザが更新を勾配の移動スケールで割る(Adamの仲間)ため、全勾配に掛かる一定の倍率は打ち消される"),
    ("post_ln_layers", "count", "transformer layers that normalise after the residual (post-LN: norm_first=False)", "残差の後で正規化する(post-LN: norm_first=False)Transformer層の数"),
)

DECLARED["seeds"] = declare(
    "seeds",
    ("runs", "count", "runs compared", "比較した実行の数"),
    ("spread", "fraction", "range of the final losses over the starting loss", "最終lossの範囲 ÷ 開始時のloss"),
    ("failed_runs", "count", "runs that barely learned while another learned well", "他の実行は学習できたのにほとんど学習しなかった実行の数"),
    ("method", "label", "how runs differ: target(seed=...) or reset_parameters()", "実行の違いの作り方: target(seed=...) または reset_parameters()"),
)

DECLARED["short_run"] = curves.OBSERVATIONS + declare(
    "short_run",
    ("steps", "count", "steps the run took", "実行したステップ数"),
    ("min_class_recall", "fraction", "lowest per-class recall after the run", "実行後のクラス別再現率の最小値"),
    ("minority_recall", "fraction", "recall of the rarest class after the run", "実行後の最少クラスの再現率"),
    ("majority_recall", "fraction", "recall of the commonest class after the run", "実行後の最多クラスの再現率"),
    ("accuracy", "fraction", "accuracy after the run", "実行後の正解率"),
    ("balanced_accuracy", "fraction", "mean per-class recall after the run", "実行後のクラス別再現率の平均"),
    ("majority_prediction_share", "fraction", "share of predictions that are the commonest class", "予測のうち最多クラスの割合"),
    ("dead_unit_fraction", "fraction", "share of ReLU units dead after the run", "実行後のdead ReLUユニットの割合"),
    ("first_last_ratio", "ratio", "first training weight layer's relative gradient over the last's, after the run", "実行後の、学習する最初の重み層の相対勾配 ÷ 最後の層の相対勾配"),
    ("first_last_movement", "ratio", "how far the first weight layer moved during the run, relative to its size, over the same for the last", "実行中に最初の重み層が動いた量(大きさに対する比)÷ 最後の層の同じ量"),
    ("grad_growth", "ratio", "gradient norm late in the run over its level at the start", "実行終盤の勾配ノルム ÷ 開始時の勾配ノルム"),
    ("grad_spike", "ratio", "largest gradient norm in the run over its level at the start", "実行中の最大の勾配ノルム ÷ 開始時の勾配ノルム"),
    ("grad_nonfinite", "bool", "a gradient became NaN or inf while the loss was still finite", "lossが有限のうちに勾配がNaN/infになった"),
    ("recall_on", "label", "which data the recall was measured on: val or train", "再現率を測ったデータ(val / train)"),
)

DECLARED["train_step"] = declare(
    "train_step",
    ("error", "message", "the error your training step raised (empty when none)", "あなたの学習ステップで発生したエラー(なければ空)"),
    ("calls", "count", "calls of your training step observed", "観察した学習ステップの呼び出し回数"),
    ("grads_accumulate", "bool", "gradients left from the previous call were added to by the next backward", "前回の勾配が残ったまま次のbackwardで加算された"),
    ("stale_grad_at_step", "bool", "step() ran with no backward() since the previous step (old gradients)", "前回のstep以降backward無しでstepが呼ばれた(古い勾配)"),
    ("empty_grad_at_step", "bool", "step() ran with no gradient to apply", "適用する勾配が無い状態でstepが呼ばれた"),
    ("step_calls_per_call", "count", "optimizer.step() calls per call of your step", "1回の学習ステップあたりのoptimizer.step()呼び出し回数"),
    ("eval_forward_fraction", "fraction", "share of forward passes in your step that ran in eval mode", "学習ステップ中のforwardのうちevalモードだった割合"),
    ("mode_dependent_layers", "bool", "the model has Dropout or BatchNorm, which behave differently in eval mode", "evalモードで動作が変わる層(Dropout/BatchNorm)がある"),
    ("user_drop", "fraction", "share of the loss your step removed over the calls", "あなたのステップで下がったlossの割合"),
    ("reference_drop", "fraction", "share of the loss the reference step removed on the same batches", "同じバッチで参照ステップが下げたlossの割合"),
    ("progress_ratio", "ratio", "your step's progress over the reference step's", "あなたのステップの進み ÷ 参照ステップの進み"),
)
