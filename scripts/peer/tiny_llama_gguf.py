#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights, for testing a real OpenAI-compatible server
(llama-cpp-python) on loopback without downloading a model.

Vocabulary: SentencePiece-style, with control tokens, byte-fallback tokens and ASCII letters. The output
projection is zero for every token that is not printable ASCII (and for end-of-sequence), so that greedy
decoding emits one printable character per token and never stops early: the server's chunk count equals its
token count, which the load-generator test relies on.

Usage: tiny_llama_gguf.py OUT.gguf
"""
import sys

import numpy as np
from gguf import GGUFWriter, TokenType

EMBED, LAYERS, HEADS, FFN, CONTEXT = 64, 2, 4, 128, 2048


def vocabulary():
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>")
        scores.append(0.0)
        types.append(TokenType.BYTE)
    printable = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    for piece in ["\u2581"] + printable + ["\u2581" + c for c in printable]:
        tokens.append(piece)
        scores.append(-1.0 * len(piece))
        types.append(TokenType.NORMAL)
    return tokens, scores, types


def main(path):
    rng = np.random.default_rng(0)
    tokens, scores, types = vocabulary()
    vocab = len(tokens)
    writer = GGUFWriter(path, "llama")
    writer.add_name("parity-tiny-llama")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBED // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(0)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)

    def weight(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(vocab, EMBED))
    writer.add_tensor("output_norm.weight", np.ones(EMBED, dtype=np.float32))
    output = weight(vocab, EMBED)
    allowed = np.zeros(vocab, dtype=bool)
    for index, piece in enumerate(tokens):
        if types[index] == TokenType.NORMAL and piece != "\u2581":
            allowed[index] = True
    output[~allowed] = 0.0
    writer.add_tensor("output.weight", output)
    for layer in range(LAYERS):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(EMBED, dtype=np.float32))
        for name in ["attn_q", "attn_k", "attn_v", "attn_output"]:
            writer.add_tensor(f"{prefix}.{name}.weight", weight(EMBED, EMBED))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(EMBED, dtype=np.float32))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", weight(FFN, EMBED))
        writer.add_tensor(f"{prefix}.ffn_up.weight", weight(FFN, EMBED))
        writer.add_tensor(f"{prefix}.ffn_down.weight", weight(EMBED, FFN))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
