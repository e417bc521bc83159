"""A BERT cross-encoder in torch whose parameters load from (and save back to) a MiniLM ONNX graph.

Module and parameter names follow Hugging Face's BERT, so the ONNX graph's named initializers map
one to one; its MatMul weights, which the export left unnamed, are found through the bias each one
feeds and are transposed from ONNX's [in, out] to torch's [out, in].
"""
import math
import struct

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

LAYER_NORM_EPS = 1e-12
MASKED = -10000.0  # what the MiniLM export adds to masked attention scores


class Embeddings(nn.Module):
    def __init__(self, vocab, positions, types, hidden):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.token_type_embeddings = nn.Embedding(types, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        summed = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(summed)


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(hidden // heads)
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def split(self, x):
        batch, length, hidden = x.shape
        return x.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

    def forward(self, x, mask_bias):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) * self.scale + mask_bias
        context = torch.softmax(scores, dim=-1) @ v
        return context.transpose(1, 2).reshape(x.shape)


class DenseNorm(nn.Module):
    """dense, residual add, LayerNorm: BERT's attention.output and output blocks."""

    def __init__(self, inputs, hidden):
        super().__init__()
        self.dense = nn.Linear(inputs, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.self = SelfAttention(hidden, heads)
        self.output = DenseNorm(hidden, hidden)

    def forward(self, x, mask_bias):
        return self.output(self.self(x, mask_bias), x)


class Intermediate(nn.Module):
    def __init__(self, hidden, intermediate):
        super().__init__()
        self.dense = nn.Linear(hidden, intermediate)

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # exact (erf) GELU, as in the graph


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate):
        super().__init__()
        self.attention = Attention(hidden, heads)
        self.intermediate = Intermediate(hidden, intermediate)
        self.output = DenseNorm(intermediate, hidden)

    def forward(self, x, mask_bias):
        attended = self.attention(x, mask_bias)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, layers, hidden, heads, intermediate):
        super().__init__()
        self.layer = nn.ModuleList([Layer(hidden, heads, intermediate) for _ in range(layers)])

    def forward(self, x, mask_bias):
        for layer in self.layer:
            x = layer(x, mask_bias)
        return x


class Pooler(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)

    def forward(self, hidden_states):
        return torch.tanh(self.dense(hidden_states[:, 0]))


class CrossEncoder(nn.Module):
    """MiniLM encoder, its [CLS] pooler, and a one-logit relevance head."""

    def __init__(self, vocab=30522, positions=512, types=2, hidden=384, layers=6, heads=12, intermediate=1536):
        super().__init__()
        self.embeddings = Embeddings(vocab, positions, types, hidden)
        self.encoder = Encoder(layers, hidden, heads, intermediate)
        self.pooler = Pooler(hidden)
        self.classifier = nn.Linear(hidden, 1)

    def encode(self, input_ids, attention_mask, token_type_ids):
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * MASKED
        hidden = self.encoder(self.embeddings(input_ids, token_type_ids), mask_bias)
        return hidden, self.pooler(hidden)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.classifier(self.encode(input_ids, attention_mask, token_type_ids)[1])


def onnx_weight_map(graph):
    """torch parameter name -> (ONNX initializer name, transposed?) for every weight of the encoder."""
    initializers = {i.name for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    mapping = {name: (name, False) for name in initializers if name.startswith(("embeddings.", "encoder.", "pooler."))}
    mapping.pop("embeddings.position_ids", None)
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in initializers:
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [b for n in adds for b in n.input if b.endswith(".bias") and b in initializers]
        if len(biases) != 1:
            raise ValueError(f"MatMul {node.name}: cannot tell which layer its weight {node.input[1]} belongs to")
        mapping[biases[0][: -len(".bias")] + ".weight"] = (node.input[1], True)
    return mapping


def head_size(graph, hidden):
    """The attention head size, from the sqrt(head size) the graph divides attention scores by."""
    constants = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    for node in graph.node:
        divisor = constants.get(node.input[1]) if node.op_type == "Div" and len(node.input) == 2 else None
        if divisor is not None and divisor.size == 1:
            size = round(float(divisor) ** 2)
            if size >= 8 and hidden % size == 0 and abs(float(divisor) ** 2 - size) < 1e-3:
                return size
    raise ValueError("cannot find the attention scale (a division by sqrt(head size)) in the graph")


def build(config):
    return CrossEncoder(**config)


def save_portable(model, mapping, config, path, vocabulary_only=False):
    """The encoder's weights in torch names (fp16, half the size) with the ONNX mapping: enough to train on
    a machine that has torch but not the shipped ONNX graph, and to write a weight pack afterwards. With
    vocabulary_only, just the frozen word embeddings: a weight pack (--init-pack) brings the rest."""
    state = {name: value.half() for name, value in model.state_dict().items()
             if not name.startswith("classifier.") and (not vocabulary_only or name == "embeddings.word_embeddings.weight")}
    torch.save({"state": state, "mapping": mapping, "config": config}, path)


def load_portable(path, seed):
    saved = torch.load(path, map_location="cpu")
    model = build(saved["config"])
    with torch.no_grad():
        state = model.state_dict()
        for name, value in saved["state"].items():
            state[name].copy_(value.float())
        init_head(model, seed)
    return model, {k: tuple(v) for k, v in saved["mapping"].items()}


def init_head(model, seed):
    generator = torch.Generator().manual_seed(seed)
    model.classifier.weight.copy_(torch.randn(model.classifier.weight.shape, generator=generator) * 0.02)
    model.classifier.bias.zero_()


def load_pack(model, mapping, path):
    """Loads a weight pack written by train_reranker.py --pack (fp16 tensors under the shipped graph's names,
    MatMul weights in ONNX's [in, out] layout, plus the head) into the model; returns how many tensors."""
    by_source = {source: (name, transposed) for name, (source, transposed) in mapping.items()}
    by_source["classifier.weight"] = ("classifier.weight", True)
    by_source["classifier.bias"] = ("classifier.bias", False)
    state = model.state_dict()
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RCWP":
        raise ValueError(f"{path} is not a weight pack")
    version, count = struct.unpack_from("<II", data, 4)
    if version != 1:
        raise ValueError(f"{path}: weight pack version {version}, this trainer reads version 1")
    offset, loaded = 12, 0
    with torch.no_grad():
        for _ in range(count):
            (length,) = struct.unpack_from("<H", data, offset)
            name = data[offset + 2: offset + 2 + length].decode("utf-8")
            offset += 2 + length
            (rank,) = struct.unpack_from("<B", data, offset)
            shape = struct.unpack_from(f"<{rank}q", data, offset + 1)
            offset += 1 + 8 * rank
            size = int(np.prod(shape)) if rank else 1
            value = torch.from_numpy(np.frombuffer(data, dtype="<f2", count=size, offset=offset).astype(np.float32).reshape(shape))
            offset += 2 * size
            if name not in by_source:
                raise ValueError(f"{path}: tensor {name} has no place in this model")
            target, transposed = by_source[name]
            state[target].copy_(value.T if transposed else value)
            loaded += 1
    return loaded


def load_from_onnx(path, seed):
    """A CrossEncoder with the encoder and pooler of an ONNX MiniLM and a freshly initialised head."""
    graph = onnx.load(path).graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    mapping = onnx_weight_map(graph)
    words = values["embeddings.word_embeddings.weight"]
    layers = sum(1 for name in mapping if name.endswith("attention.self.query.weight"))
    intermediate = values["encoder.layer.0.intermediate.dense.bias"].shape[0]
    hidden = words.shape[1]
    config = dict(vocab=words.shape[0], positions=values["embeddings.position_embeddings.weight"].shape[0],
                  types=values["embeddings.token_type_embeddings.weight"].shape[0], hidden=hidden,
                  layers=layers, heads=hidden // head_size(graph, hidden), intermediate=intermediate)
    model = build(config)
    state = model.state_dict()
    missing = [name for name in state if not name.startswith("classifier.") and name not in mapping]
    if missing:
        raise ValueError(f"the ONNX graph lacks weights for {missing[:5]}")
    with torch.no_grad():
        for name, (source, transposed) in mapping.items():
            value = values[source].T if transposed else values[source]
            if tuple(value.shape) != tuple(state[name].shape):
                raise ValueError(f"{name}: ONNX {source} has shape {value.shape}, expected {tuple(state[name].shape)}")
            state[name].copy_(torch.from_numpy(np.array(value, dtype=np.float32, copy=True)))
        init_head(model, seed)
    return model, mapping, config
