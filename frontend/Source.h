//===- Source.h - source files, locations and diagnostics -------*- C++ -*-===//
//
// The frontend core (lexer, parser, elaborator) has no MLIR or LLVM
// dependency so that it can be fuzzed on its own. Errors are collected by a
// DiagnosticEngine that keeps the first error: every error class produces
// exactly one `file:line:col: error: ...` message quoting the offending line.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_FRONTEND_SOURCE_H
#define SSMC_FRONTEND_SOURCE_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ssmc::fe {

/// A range of bytes in one source file.
struct Loc {
  uint32_t file = 0;
  uint32_t offset = 0;
  uint32_t length = 0;
};

/// Line and column (both 1-based; the column counts bytes).
struct LineCol {
  uint32_t line = 1;
  uint32_t col = 1;
};

/// Owns the text of every file read by one compilation.
class SourceManager {
public:
  /// Adds a file's text and returns its id.
  uint32_t addFile(std::string path, std::string text);
  const std::string &path(uint32_t file) const { return files_[file].path; }
  std::string_view text(uint32_t file) const { return files_[file].text; }
  size_t numFiles() const { return files_.size(); }
  LineCol lineCol(Loc loc) const;
  /// The location of |lc| in the file named |path| (one byte long), or
  /// false when no file has that name or the line is past its end.
  bool find(std::string_view path, LineCol lc, Loc &out) const;
  /// The source line containing |loc| for display, with bytes that are not
  /// printable text shown as \xNN, and a caret line marking |loc| under it.
  void quote(Loc loc, std::string &line, std::string &caret) const;

private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> lineStarts;
  };
  std::vector<File> files_;
};

struct Diagnostic {
  Loc loc;
  std::string message;
  std::vector<std::pair<Loc, std::string>> notes;
  /// Notes past the first kMaxNotes (e.g. deep recursion) are only counted.
  size_t omittedNotes = 0;
  static constexpr size_t kMaxNotes = 8;
};

/// Keeps the first error reported; later ones are dropped (they are usually
/// consequences of the first).
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceManager &sources) : sources_(sources) {}

  /// Records an error at |loc| unless one is already recorded. Returns false
  /// so callers can write `return diags.error(loc, "...")`.
  bool error(Loc loc, std::string message);
  /// Adds a note to the recorded error (e.g. "in block called from here").
  void note(Loc loc, std::string message);
  bool hasError() const { return first_ != nullptr; }
  const Diagnostic *first() const { return first_.get(); }
  /// Formats the recorded error: the message, the quoted line with a caret
  /// under the offending text, then the notes.
  std::string format() const;
  std::string formatLoc(Loc loc) const;
  /// "file:line:col: <kind>: msg", the quoted line and a caret under |loc|.
  std::string formatOne(Loc loc, const char *kind, const std::string &msg) const;

private:
  const SourceManager &sources_;
  std::unique_ptr<Diagnostic> first_;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_SOURCE_H
