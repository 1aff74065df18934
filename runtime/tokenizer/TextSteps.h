//===- TextSteps.h - normalizers, Metaspace and SentencePiece decoding -*- C++ -*-===//
//
// The parts of a tokenizer.json pipeline around the BPE model other than
// the byte-level ones (ByteLevel.h): the normalizers (NFC, Prepend,
// Replace with a string pattern), the Metaspace pre-tokenizer of
// SentencePiece-style tokenizers (Llama, Mistral, Jamba), and their
// decoders (Replace, ByteFallback, Fuse, Strip, Metaspace), with the
// semantics of HF tokenizers.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_TEXTSTEPS_H
#define SSMC_RUNTIME_TOKENIZER_TEXTSTEPS_H

#include "runtime/Status.h"
#include "runtime/io/Json.h"

#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

/// One normalizer: NFC; Prepend |text| (to a non-empty piece); Replace
/// every |from| with |text|.
struct NormalizerStep {
  enum class Kind { Nfc, Prepend, Replace } kind;
  std::string from, text;
};

/// Reads normalizer component |c| (NFC, Prepend, Replace).
StatusOr<NormalizerStep> readNormalizer(const JsonObjectReader &c);
std::string applyNormalizers(const std::vector<NormalizerStep> &steps, std::string_view piece);

/// The Metaspace pre-tokenizer: spaces become |replacement|, which is put
/// in front of a piece (that does not start with it) always, only for the
/// piece at the start of the text ("first"), or never; with |split| each
/// replacement starts a new word.
struct Metaspace {
  enum class Prepend { Always, First, Never } prepend = Prepend::Always;
  std::string replacement = "\xE2\x96\x81"; // ▁ U+2581
  bool split = true;
};

/// Reads the prepend_scheme, replacement and split of a Metaspace
/// pre-tokenizer or decoder component.
StatusOr<Metaspace> readMetaspace(const JsonObjectReader &c);
/// The words of |piece|; |atStart| when it begins the text.
std::vector<std::string> metaspaceWords(const Metaspace &m, std::string_view piece, bool atStart);

/// What a SentencePiece-style decoder does to tokens: string replacements,
/// <0xXX> tokens as bytes, and leading spaces stripped from the text.
struct PieceDecoder {
  std::vector<std::pair<std::string, std::string>> replacements;
  bool byteFallback = false;
  int stripLeadingSpaces = 0;
};

/// Reads decoder components (Replace, ByteFallback, Fuse, Strip, Metaspace).
StatusOr<PieceDecoder> readPieceDecoder(const std::vector<JsonObjectReader> &components);
/// The bytes |token| decodes to (before the leading strip).
std::string decodePiece(const PieceDecoder &d, const std::string &token);

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_TEXTSTEPS_H
