//===- Source.cpp - source files, locations and diagnostics ---------------===//
#include "frontend/Source.h"
#include "frontend/Utf8.h"

#include <algorithm>
#include <cstdio>

using namespace ssmc::fe;

uint32_t SourceManager::addFile(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n')
      f.lineStarts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

LineCol SourceManager::lineCol(Loc loc) const {
  const File &f = files_[loc.file];
  auto it = std::upper_bound(f.lineStarts.begin(), f.lineStarts.end(), loc.offset);
  uint32_t line = static_cast<uint32_t>(it - f.lineStarts.begin());
  return {line, loc.offset - f.lineStarts[line - 1] + 1};
}

bool SourceManager::find(std::string_view path, LineCol lc, Loc &out) const {
  for (uint32_t i = 0; i < files_.size(); ++i) {
    const File &f = files_[i];
    if (f.path != path || lc.line < 1 || lc.line > f.lineStarts.size())
      continue;
    uint32_t offset = f.lineStarts[lc.line - 1] + (lc.col ? lc.col - 1 : 0);
    out = {i, std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size())), 1};
    return true;
  }
  return false;
}

void SourceManager::quote(Loc loc, std::string &line, std::string &caret) const {
  const File &f = files_[loc.file];
  std::string_view text = f.text;
  uint32_t begin = f.lineStarts[lineCol(loc).line - 1];
  uint32_t end = begin;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r')
    ++end;
  uint32_t markEnd = std::max(loc.offset + 1, loc.offset + loc.length);
  line.clear();
  caret.clear();
  for (uint32_t i = begin; i < end;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool printable = c == '\t' || (c >= 0x20 && c != 0x7f);
    size_t n = printable ? utf8SequenceLength(text, i) : 0;
    size_t width = 1;
    if (n == 0 || n > end - i) {
      // Not text: show the byte as \xNN, four columns wide.
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      line += buf;
      n = 1;
      width = 4;
    } else {
      line += text.substr(i, n);
    }
    if (i < loc.offset)
      caret += c == '\t' ? std::string("\t") : std::string(width, ' ');
    else if (i == loc.offset)
      caret += "^" + std::string(width - 1, '~');
    else if (i < markEnd)
      caret += std::string(width, '~');
    i += static_cast<uint32_t>(n);
  }
  if (caret.find('^') == std::string::npos)
    caret += '^'; // the location is the end of the line (or of the file)
}

bool DiagnosticEngine::error(Loc loc, std::string message) {
  if (!first_)
    first_ = std::make_unique<Diagnostic>(Diagnostic{loc, std::move(message), {}});
  return false;
}

void DiagnosticEngine::note(Loc loc, std::string message) {
  if (!first_)
    return;
  if (first_->notes.size() < Diagnostic::kMaxNotes)
    first_->notes.emplace_back(loc, std::move(message));
  else
    ++first_->omittedNotes;
}

std::string DiagnosticEngine::formatLoc(Loc loc) const {
  LineCol lc = sources_.lineCol(loc);
  return sources_.path(loc.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.col);
}

std::string DiagnosticEngine::formatOne(Loc loc, const char *kind, const std::string &msg) const {
  std::string out = formatLoc(loc) + ": " + kind + ": " + msg + "\n";
  std::string_view text = sources_.text(loc.file);
  if (text.empty())
    return out;
  std::string line, caret;
  sources_.quote(loc, line, caret);
  out += "  " + line + "\n  " + caret + "\n";
  return out;
}

std::string DiagnosticEngine::format() const {
  if (!first_)
    return "";
  std::string out = formatOne(first_->loc, "error", first_->message);
  for (const auto &[loc, msg] : first_->notes)
    out += formatLoc(loc) + ": note: " + msg + "\n";
  if (first_->omittedNotes)
    out += "(" + std::to_string(first_->omittedNotes) + " more notes omitted)\n";
  return out;
}
