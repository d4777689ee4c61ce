"""The exercise's own recipe, reimplemented as the baseline of ``bench.seq2seq``.

"Translation with a sequence to sequence network and attention" (the course's NLP tutorial):

* every sentence is its ids plus EOS, zero-padded to MAX_LENGTH = 10 (0 is also SOS; the
  padding is *not* masked: the loss asks the model to predict 0 there and the attention looks
  at the padded positions);
* ``EncoderRNN``: embedding (size H) + dropout 0.1 + one GRU layer of H units;
* ``AttnDecoderRNN`` with ``BahdanauAttention`` (Wa, Ua, Va; ``Ua(keys)`` recomputed every step),
  run for MAX_LENGTH steps one token at a time, always teacher-forced in training;
* batch 32 drawn at random, two Adam optimisers with lr 1e-3, NLL loss on log-softmax, no
  clipping, no validation, no early stopping, a fixed number of epochs (80 in the tutorial).

Used to measure the recipe's training throughput (pairs per second) beside ours on the same
split and machine.  ``python -m core.seq2seq.recipe --minutes 8`` trains it and reports test
BLEU, for reference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as fn

from core.optim import Adam
from core.seq2seq.data import DEFAULT_DATA, MAX_LENGTH, Pair, Split, load_pairs, split_pairs
from core.seq2seq.evaluate import corpus_bleu

R_SOS, R_EOS = 0, 1  # the tutorial's Lang: SOS_token = 0, EOS_token = 1, words from 2


class Lang:
    """The tutorial's ``Lang``: word2index with SOS = 0, EOS = 1 (no UNK: unknown words are
    dropped when encoding)."""

    def __init__(self, sentences: Sequence[str]):
        self.index2word = {R_SOS: "SOS", R_EOS: "EOS"}
        self.word2index: dict[str, int] = {}
        for s in sentences:
            for w in s.split(" "):
                if w not in self.word2index:
                    self.word2index[w] = len(self.index2word)
                    self.index2word[len(self.index2word)] = w

    @property
    def n_words(self) -> int:
        return len(self.index2word)

    def ids(self, sentence: str) -> list[int]:
        return [self.word2index[w] for w in sentence.split(" ") if w in self.word2index]


class EncoderRNN(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, dropout_p: float = 0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, x):  # x (B, MAX_LENGTH)
        embedded = self.dropout(self.embedding(x))
        output, hidden = self.gru(embedded)
        return output, hidden  # (B, L, H), (1, B, H)


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size: int):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):  # query (B, 1, H), keys (B, L, H)
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)  # (B, 1, L)
        weights = fn.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)  # (B, 1, H)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size: int, output_size: int, dropout_p: float = 0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        B = encoder_outputs.size(0)
        decoder_input = torch.full((B, 1), R_SOS, dtype=torch.long)
        decoder_hidden = encoder_hidden
        outputs, attentions = [], []
        for i in range(MAX_LENGTH):
            out, decoder_hidden, attn = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs
            )
            outputs.append(out)
            attentions.append(attn)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
            else:
                _, topi = out.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        outputs = fn.log_softmax(torch.cat(outputs, dim=1), dim=-1)  # (B, L, V)
        return outputs, decoder_hidden, torch.cat(attentions, dim=1)

    def forward_step(self, x, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(x))  # (B, 1, H)
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        output, hidden = self.gru(torch.cat((embedded, context), dim=2), hidden)
        return self.out(output), hidden, attn_weights


@dataclass(frozen=True, eq=False)
class Recipe:
    encoder: EncoderRNN
    decoder: AttnDecoderRNN
    input_lang: Lang
    output_lang: Lang


def tensors(pairs: Sequence[Pair], in_lang: Lang, out_lang: Lang):
    """The tutorial's ``get_dataloader`` arrays: ids + EOS, zero-padded to MAX_LENGTH."""
    n = len(pairs)
    x = torch.zeros((n, MAX_LENGTH), dtype=torch.long)
    y = torch.zeros((n, MAX_LENGTH), dtype=torch.long)
    for i, p in enumerate(pairs):
        a = (in_lang.ids(p.fr) + [R_EOS])[:MAX_LENGTH]
        b = (out_lang.ids(p.en) + [R_EOS])[:MAX_LENGTH]
        x[i, : len(a)] = torch.tensor(a)
        y[i, : len(b)] = torch.tensor(b)
    return x, y


def build_recipe(split: Split, hidden: int = 128, seed: int = 0) -> Recipe:
    torch.manual_seed(seed)
    in_lang = Lang([p.fr for p in split.train])
    out_lang = Lang([p.en for p in split.train])
    return Recipe(
        EncoderRNN(in_lang.n_words, hidden),
        AttnDecoderRNN(hidden, out_lang.n_words),
        in_lang,
        out_lang,
    )


def train_recipe(
    rec: Recipe,
    pairs: Sequence[Pair],
    epochs: int = 80,
    minutes: float = 1e9,
    max_pairs: int | None = None,
    batch: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    progress: Callable[[int, float, float], None] | None = None,
) -> dict:
    """The tutorial's ``train``: ``epochs`` epochs (or until ``minutes`` / ``max_pairs``).

    Returns {"pairs": trained pairs, "seconds": training seconds, "pairs_per_s", "epochs",
    "loss": last epoch's mean loss}.  ``progress(epoch, fraction, loss)`` after each batch.
    """
    x, y = tensors(pairs, rec.input_lang, rec.output_lang)
    gen = torch.Generator().manual_seed(seed)
    enc_opt = Adam(rec.encoder.parameters(), lr=lr)  # torch.optim.Adam's update (core.optim)
    dec_opt = Adam(rec.decoder.parameters(), lr=lr)
    criterion = nn.NLLLoss()
    rec.encoder.train()
    rec.decoder.train()
    done, t0, loss_avg, ep = 0, time.perf_counter(), float("nan"), 0
    for ep in range(1, epochs + 1):
        order = torch.randperm(len(x), generator=gen)  # RandomSampler
        total, nb = 0.0, 0
        for b in range(0, len(order), batch):
            idx = order[b : b + batch]
            input_tensor, target_tensor = x[idx], y[idx]
            enc_opt.zero_grad()
            dec_opt.zero_grad()
            encoder_outputs, encoder_hidden = rec.encoder(input_tensor)
            decoder_outputs, _, _ = rec.decoder(encoder_outputs, encoder_hidden, target_tensor)
            loss = criterion(
                decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1)
            )
            loss.backward()
            enc_opt.step()
            dec_opt.step()
            total += loss.item()
            nb += 1
            done += len(idx)
            if progress:
                progress(ep, min(1.0, (b + batch) / len(order)), total / nb)
            if (max_pairs and done >= max_pairs) or time.perf_counter() - t0 > minutes * 60:
                break
        loss_avg = total / max(1, nb)
        if (max_pairs and done >= max_pairs) or time.perf_counter() - t0 > minutes * 60:
            break
    secs = time.perf_counter() - t0
    return {
        "pairs": done,
        "seconds": secs,
        "pairs_per_s": done / secs,
        "epochs": ep,
        "loss": loss_avg,
    }


@torch.inference_mode()
def translate_recipe(rec: Recipe, sentences: Sequence[str], batch: int = 256) -> list[str]:
    """The tutorial's greedy ``evaluate``: MAX_LENGTH steps, output cut at the first EOS."""
    rec.encoder.eval()
    rec.decoder.eval()
    out = []
    for b in range(0, len(sentences), batch):
        part = [Pair(fr=s, en="") for s in sentences[b : b + batch]]
        x, _ = tensors(part, rec.input_lang, rec.output_lang)
        eo, eh = rec.encoder(x)
        dec, _, _ = rec.decoder(eo, eh)
        ids = dec.argmax(-1)
        for row in ids.tolist():
            words = []
            for i in row:
                if i == R_EOS:
                    break
                words.append(rec.output_lang.index2word[i])
            out.append(" ".join(words))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m core.seq2seq.recipe", description=__doc__)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=80)
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    split = split_pairs(load_pairs(a.data), seed=a.seed)
    rec = build_recipe(split, a.hidden, a.seed)

    def show(ep, frac, loss):
        sys.stderr.write(f"\repoch {ep:3d} {frac * 100:3.0f}% loss {loss:.4f}")

    r = train_recipe(
        rec, split.train, epochs=a.epochs, minutes=a.minutes, seed=a.seed, progress=show
    )
    hyps = translate_recipe(rec, [p.fr for p in split.test])
    refs = [p.en for p in split.test]
    exact = sum(h == r_ for h, r_ in zip(hyps, refs, strict=True)) / len(refs)
    print(
        f"\nrecipe: {r['epochs']} epochs, {r['seconds']:.0f} s, {r['pairs_per_s']:.0f} pairs/s, "
        f"train loss {r['loss']:.4f}; test BLEU {corpus_bleu(hyps, refs):.2f}, "
        f"exact match {exact:.1%} ({len(refs)} pairs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
