"""Build a tiny sentence-transformers model from scratch, offline.

A WordPiece tokenizer is trained on the given texts and a two-layer BERT with random (seeded)
weights is wrapped with mean pooling, then saved to a folder, so the real
``SentenceTransformer(path)`` loading and encoding path runs in the tests without any download.
Its vectors carry no meaning; the tests check mechanics (shapes, normalisation, batching,
determinism, truncation), not quality.
"""

from pathlib import Path


def build_tiny_sentence_transformer(folder: Path, texts: list[str], *, seed: int = 7) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    wordpiece = BertWordPieceTokenizer(lowercase=True, strip_accents=False, handle_chinese_chars=True)
    wordpiece.train_from_iterator(
        texts, vocab_size=3000, min_frequency=1, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    wordpiece.save_model(str(raw))
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), do_lower_case=True, strip_accents=False)
    tokenizer.save_pretrained(raw)

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(raw)

    transformer = Transformer(str(raw), max_seq_length=64)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model_dir = folder / "tiny-sentence-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(model_dir))
    return model_dir
