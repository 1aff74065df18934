//===- TorchFile.cpp - PyTorch state dicts (pytorch_model.bin) ------------===//
#include "runtime/io/TorchFile.h"
#include "runtime/io/Utf8.h"
#include "runtime/io/ZipArchive.h"

#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

using namespace ssmrt;

namespace {

/// A value on the unpickler's stack. Only what a state dict holds.
struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor };
  Kind kind = Kind::None;
  int64_t i = 0; ///< Bool, Int
  double f = 0;
  std::string s;               ///< String; Global: "module.name"
  std::vector<ValuePtr> items; ///< Tuple, List; Dict: key, value, key, value...
  // Storage: its dtype, entry key and element count.
  DType dtype = DType::F32;
  uint64_t numel = 0;
  // Tensor: the storage, the offset in elements, the sizes and strides.
  ValuePtr storage;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
};

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

/// The storage types a state dict's tensors may have, by their class name.
const std::map<std::string, DType> kStorageTypes = {
    {"torch.FloatStorage", DType::F32},     {"torch.HalfStorage", DType::F16},
    {"torch.BFloat16Storage", DType::BF16}, {"torch.DoubleStorage", DType::F64},
    {"torch.LongStorage", DType::I64},      {"torch.IntStorage", DType::I32},
    {"torch.ShortStorage", DType::I16},     {"torch.CharStorage", DType::I8},
    {"torch.ByteStorage", DType::U8},       {"torch.BoolStorage", DType::Bool}};

/// Globals that may appear, besides the storage types.
const char *const kFunctions[] = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                  "torch._utils._rebuild_parameter"};

class Unpickler {
public:
  Unpickler(std::string_view bytes, std::string name) : p_(bytes), name_(std::move(name)) {}

  StatusOr<ValuePtr> run();

private:
  Status fail(const std::string &why) const {
    return Status::error(name_ + ": data.pkl, byte " + std::to_string(pos_) + ": " + why);
  }
  bool need(size_t n) const { return p_.size() - pos_ >= n; }
  uint64_t readLE(int n) {
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k)
      v = v << 8 | static_cast<uint8_t>(p_[pos_ + k]);
    pos_ += n;
    return v;
  }
  StatusOr<ValuePtr> pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      return fail("the pickle pops from an empty stack");
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  /// The values since the last MARK, which is removed.
  StatusOr<std::vector<ValuePtr>> popMark() {
    if (marks_.empty())
      return fail("the pickle has no MARK to pop to");
    std::vector<ValuePtr> items(stack_.begin() + marks_.back(), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  Status global(const std::string &module, const std::string &name);
  Status persistentLoad(const ValuePtr &id);
  Status reduce(const ValuePtr &callable, const ValuePtr &args);
  Status setItems(std::vector<ValuePtr> items);

  std::string_view p_;
  std::string name_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
};

Status Unpickler::global(const std::string &module, const std::string &name) {
  std::string full = module + "." + name;
  bool allowed = kStorageTypes.count(full);
  for (const char *f : kFunctions)
    allowed = allowed || full == f;
  if (!allowed)
    return fail("global '" + printableForMessage(full) +
                "' is not allowed in a state dict (only tensors, their storages and "
                "OrderedDict are read; nothing is executed)");
  ValuePtr v = make(Value::Kind::Global);
  v->s = full;
  stack_.push_back(v);
  return okStatus();
}

Status Unpickler::persistentLoad(const ValuePtr &id) {
  // ('storage', <storage type>, key, location, numel)
  if (id->kind != Value::Kind::Tuple || id->items.size() != 5 ||
      id->items[0]->kind != Value::Kind::String || id->items[0]->s != "storage" ||
      id->items[1]->kind != Value::Kind::Global || id->items[2]->kind != Value::Kind::String ||
      id->items[4]->kind != Value::Kind::Int || id->items[4]->i < 0)
    return fail("a persistent id that is not a tensor storage");
  auto type = kStorageTypes.find(id->items[1]->s);
  if (type == kStorageTypes.end())
    return fail("'" + printableForMessage(id->items[1]->s) + "' is not a storage type");
  ValuePtr v = make(Value::Kind::Storage);
  v->dtype = type->second;
  v->s = id->items[2]->s;
  v->numel = static_cast<uint64_t>(id->items[4]->i);
  stack_.push_back(v);
  return okStatus();
}

Status Unpickler::reduce(const ValuePtr &callable, const ValuePtr &args) {
  if (callable->kind != Value::Kind::Global || args->kind != Value::Kind::Tuple)
    return fail("REDUCE of something that is not an allowed function");
  const std::vector<ValuePtr> &a = args->items;
  if (callable->s == "collections.OrderedDict") {
    if (!a.empty())
      return fail("OrderedDict with arguments");
    stack_.push_back(make(Value::Kind::Dict));
    return okStatus();
  }
  if (callable->s == "torch._utils._rebuild_parameter") {
    // (data, requires_grad, backward_hooks): the tensor itself.
    if (a.size() < 1 || a[0]->kind != Value::Kind::Tensor)
      return fail("_rebuild_parameter of something that is not a tensor");
    stack_.push_back(a[0]);
    return okStatus();
  }
  if (callable->s == "torch._utils._rebuild_tensor_v2") {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (a.size() < 4 || a[0]->kind != Value::Kind::Storage || a[1]->kind != Value::Kind::Int ||
        a[2]->kind != Value::Kind::Tuple || a[3]->kind != Value::Kind::Tuple ||
        a[2]->items.size() != a[3]->items.size())
      return fail("_rebuild_tensor_v2 with arguments that do not describe a tensor");
    ValuePtr t = make(Value::Kind::Tensor);
    t->storage = a[0];
    t->offset = a[1]->i;
    for (size_t d = 0; d < a[2]->items.size(); ++d) {
      if (a[2]->items[d]->kind != Value::Kind::Int || a[3]->items[d]->kind != Value::Kind::Int)
        return fail("a tensor size or stride that is not an integer");
      t->size.push_back(a[2]->items[d]->i);
      t->stride.push_back(a[3]->items[d]->i);
    }
    stack_.push_back(t);
    return okStatus();
  }
  return fail("'" + printableForMessage(callable->s) + "' cannot be called");
}

Status Unpickler::setItems(std::vector<ValuePtr> items) {
  StatusOr<ValuePtr> dict = pop();
  if (!dict.ok())
    return dict.status();
  if ((*dict)->kind != Value::Kind::Dict || items.size() % 2)
    return fail("SETITEMS on something that is not a dict");
  for (ValuePtr &v : items)
    (*dict)->items.push_back(std::move(v));
  stack_.push_back(*dict);
  return okStatus();
}

StatusOr<ValuePtr> Unpickler::run() {
  // Each opcode consumes at least one byte, so this ends.
  while (pos_ < p_.size()) {
    size_t at = pos_;
    uint8_t op = static_cast<uint8_t>(p_[pos_++]);
    auto truncated = [&]() { return fail("the pickle ends inside opcode " + std::to_string(op)); };
    switch (op) {
    case 0x80: // PROTO
      if (!need(1))
        return truncated();
      ++pos_;
      break;
    case 0x95: // FRAME: only a length to skip
      if (!need(8))
        return truncated();
      pos_ += 8;
      break;
    case '.': { // STOP
      if (stack_.size() != 1 || !marks_.empty())
        return fail("the pickle stops with " + std::to_string(stack_.size()) + " values");
      return stack_.back();
    }
    case '(': marks_.push_back(stack_.size()); break;
    case 'N': stack_.push_back(make(Value::Kind::None)); break;
    case 0x88:
    case 0x89: {
      ValuePtr v = make(Value::Kind::Bool);
      v->i = op == 0x88;
      stack_.push_back(v);
      break;
    }
    case 'K':
    case 'M':
    case 'J': {
      int n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
      if (!need(n))
        return truncated();
      ValuePtr v = make(Value::Kind::Int);
      uint64_t raw = readLE(n);
      v->i = op == 'J' ? static_cast<int32_t>(raw) : static_cast<int64_t>(raw);
      stack_.push_back(v);
      break;
    }
    case 0x8a: { // LONG1
      if (!need(1))
        return truncated();
      int n = static_cast<uint8_t>(p_[pos_++]);
      if (n > 8)
        return fail("an integer of " + std::to_string(n) + " bytes");
      if (!need(n))
        return truncated();
      uint64_t raw = n ? readLE(n) : 0;
      if (n && n < 8 && (raw >> (8 * n - 1)) & 1) // sign-extend
        raw |= ~uint64_t(0) << (8 * n);
      ValuePtr v = make(Value::Kind::Int);
      v->i = static_cast<int64_t>(raw);
      stack_.push_back(v);
      break;
    }
    case 'G': { // BINFLOAT, big-endian
      if (!need(8))
        return truncated();
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k)
        bits = bits << 8 | static_cast<uint8_t>(p_[pos_ + k]);
      pos_ += 8;
      ValuePtr v = make(Value::Kind::Float);
      std::memcpy(&v->f, &bits, 8);
      stack_.push_back(v);
      break;
    }
    case 'X':   // BINUNICODE
    case 0x8c:  // SHORT_BINUNICODE
    case 'U':   // SHORT_BINSTRING
    case 'T': { // BINSTRING
      int n = op == 'X' || op == 'T' ? 4 : 1;
      if (!need(n))
        return truncated();
      uint64_t length = readLE(n);
      if (!need(length))
        return truncated();
      ValuePtr v = make(Value::Kind::String);
      v->s.assign(p_.substr(pos_, length));
      pos_ += length;
      stack_.push_back(v);
      break;
    }
    case 'c': { // GLOBAL "module\nname\n"
      size_t a = p_.find('\n', pos_);
      size_t b = a == std::string_view::npos ? a : p_.find('\n', a + 1);
      if (b == std::string_view::npos)
        return truncated();
      std::string module(p_.substr(pos_, a - pos_)), name(p_.substr(a + 1, b - a - 1));
      pos_ = b + 1;
      SSMRT_RETURN_IF_ERROR(global(module, name));
      break;
    }
    case 0x93: { // STACK_GLOBAL
      StatusOr<ValuePtr> name = pop();
      if (!name.ok())
        return name.status();
      StatusOr<ValuePtr> module = pop();
      if (!module.ok())
        return module.status();
      if ((*module)->kind != Value::Kind::String || (*name)->kind != Value::Kind::String)
        return fail("STACK_GLOBAL of something that is not a name");
      SSMRT_RETURN_IF_ERROR(global((*module)->s, (*name)->s));
      break;
    }
    case 'Q': { // BINPERSID
      StatusOr<ValuePtr> id = pop();
      if (!id.ok())
        return id.status();
      SSMRT_RETURN_IF_ERROR(persistentLoad(*id));
      break;
    }
    case 'R': { // REDUCE
      StatusOr<ValuePtr> args = pop();
      if (!args.ok())
        return args.status();
      StatusOr<ValuePtr> callable = pop();
      if (!callable.ok())
        return callable.status();
      SSMRT_RETURN_IF_ERROR(reduce(*callable, *args));
      break;
    }
    case 'b': { // BUILD: the state of an OrderedDict (its _metadata) is dropped
      StatusOr<ValuePtr> state = pop();
      if (!state.ok())
        return state.status();
      if (stack_.empty() || stack_.back()->kind != Value::Kind::Dict)
        return fail("BUILD of something that is not a dict");
      break;
    }
    case ')':
    case ']':
    case '}':
      stack_.push_back(make(op == ')'   ? Value::Kind::Tuple
                            : op == ']' ? Value::Kind::List
                                        : Value::Kind::Dict));
      break;
    case 't':
    case 'l':
    case 'd': { // TUPLE, LIST, DICT from the mark
      StatusOr<std::vector<ValuePtr>> items = popMark();
      if (!items.ok())
        return items.status();
      if (op == 'd' && items->size() % 2)
        return fail("DICT with an odd number of values");
      ValuePtr v = make(op == 't'   ? Value::Kind::Tuple
                        : op == 'l' ? Value::Kind::List
                                    : Value::Kind::Dict);
      v->items = std::move(*items);
      stack_.push_back(v);
      break;
    }
    case 0x85:
    case 0x86:
    case 0x87: { // TUPLE1..3
      size_t n = op - 0x84;
      ValuePtr v = make(Value::Kind::Tuple);
      v->items.resize(n);
      for (size_t k = n; k-- > 0;) {
        StatusOr<ValuePtr> item = pop();
        if (!item.ok())
          return item.status();
        v->items[k] = *item;
      }
      stack_.push_back(v);
      break;
    }
    case 's': { // SETITEM
      StatusOr<ValuePtr> value = pop();
      if (!value.ok())
        return value.status();
      StatusOr<ValuePtr> key = pop();
      if (!key.ok())
        return key.status();
      SSMRT_RETURN_IF_ERROR(setItems({*key, *value}));
      break;
    }
    case 'u': { // SETITEMS
      StatusOr<std::vector<ValuePtr>> items = popMark();
      if (!items.ok())
        return items.status();
      SSMRT_RETURN_IF_ERROR(setItems(std::move(*items)));
      break;
    }
    case 'a':
    case 'e': { // APPEND, APPENDS
      std::vector<ValuePtr> items;
      if (op == 'a') {
        StatusOr<ValuePtr> item = pop();
        if (!item.ok())
          return item.status();
        items.push_back(*item);
      } else {
        StatusOr<std::vector<ValuePtr>> marked = popMark();
        if (!marked.ok())
          return marked.status();
        items = std::move(*marked);
      }
      if (stack_.empty() || stack_.back()->kind != Value::Kind::List)
        return fail("APPEND to something that is not a list");
      for (ValuePtr &v : items)
        stack_.back()->items.push_back(std::move(v));
      break;
    }
    case 'q':
    case 'r':
    case 0x94: { // BINPUT, LONG_BINPUT, MEMOIZE
      uint64_t key = memo_.size();
      if (op != 0x94) {
        int n = op == 'q' ? 1 : 4;
        if (!need(n))
          return truncated();
        key = readLE(n);
      }
      if (stack_.empty())
        return fail("memoizing with an empty stack");
      memo_[key] = stack_.back();
      break;
    }
    case 'h':
    case 'j': { // BINGET, LONG_BINGET
      int n = op == 'h' ? 1 : 4;
      if (!need(n))
        return truncated();
      auto found = memo_.find(readLE(n));
      if (found == memo_.end())
        return fail("a memo entry that was never stored");
      stack_.push_back(found->second);
      break;
    }
    default:
      pos_ = at;
      return fail("pickle opcode " + std::to_string(op) + " is not one a state dict uses");
    }
  }
  return fail("the pickle ends without STOP");
}

} // namespace

StatusOr<TorchFile> TorchFile::open(const std::string &path) {
  StatusOr<MappedFile> mapping = MappedFile::open(path);
  if (!mapping.ok())
    return mapping.status();
  std::string_view bytes(reinterpret_cast<const char *>(mapping->data()), mapping->size());
  StatusOr<TorchFile> file = parse(bytes, path);
  if (!file.ok())
    return file.status();
  file->mapping_ = std::move(*mapping);
  return file;
}

StatusOr<TorchFile> TorchFile::parse(std::string_view bytes, const std::string &name) {
  StatusOr<std::vector<ZipEntry>> entries = readZipEntries(bytes, name);
  if (!entries.ok())
    return entries.status();
  const ZipEntry *pickle = nullptr;
  for (const ZipEntry &e : *entries)
    if (e.name == "data.pkl" ||
        (e.name.size() > 9 && e.name.substr(e.name.size() - 9) == "/data.pkl"))
      pickle = pickle ? pickle : &e;
  if (!pickle)
    return Status::error(name + ": no data.pkl in the archive (not a torch.save file)");
  if (!pickle->stored)
    return Status::error(name + ": data.pkl is compressed");
  std::string prefix = pickle->name.substr(0, pickle->name.size() - 8); // "<prefix>/"
  std::unordered_map<std::string, const ZipEntry *> storages;
  for (const ZipEntry &e : *entries)
    if (e.name.compare(0, prefix.size() + 5, prefix + "data/") == 0)
      storages[e.name.substr(prefix.size() + 5)] = &e;

  StatusOr<ValuePtr> root = Unpickler(pickle->data, name).run();
  if (!root.ok())
    return root.status();
  if ((*root)->kind != Value::Kind::Dict)
    return Status::error(name + ": the pickle is not a state dict (a dict of tensors)");
  TorchFile file;
  file.name_ = name;
  const std::vector<ValuePtr> &items = (*root)->items;
  for (size_t k = 0; k < items.size(); k += 2) {
    const Value &key = *items[k], &value = *items[k + 1];
    if (key.kind != Value::Kind::String)
      return Status::error(name + ": a state dict key that is not a string");
    std::string where = name + ": tensor '" + printableForMessage(key.s) + "'";
    if (value.kind != Value::Kind::Tensor)
      return Status::error(where + " is not a tensor");
    const Value &storage = *value.storage;
    auto entry = storages.find(storage.s);
    if (entry == storages.end())
      return Status::error(where + ": its storage 'data/" + printableForMessage(storage.s) +
                           "' is not in the archive");
    if (!entry->second->stored)
      return Status::error(where + ": its storage is compressed");
    size_t esize = dtypeSize(storage.dtype);
    if (storage.numel > entry->second->data.size() / esize)
      return Status::error(where + ": its storage holds " +
                           std::to_string(entry->second->data.size()) + " bytes, fewer than " +
                           std::to_string(storage.numel) + " elements");
    // Row-major and contiguous, within the storage.
    int64_t expected = 1;
    uint64_t elements = 1;
    for (size_t d = value.size.size(); d-- > 0;) {
      if (value.size[d] < 0 || (value.size[d] > 1 && value.stride[d] != expected))
        return Status::error(where + " is not contiguous (sizes and strides of a view); save "
                                     "it with .contiguous()");
      if (value.size[d] && elements > (uint64_t(1) << 48) / static_cast<uint64_t>(value.size[d]))
        return Status::error(where + " has too many elements");
      elements *= static_cast<uint64_t>(value.size[d]);
      expected *= value.size[d] ? value.size[d] : 1;
    }
    if (value.offset < 0 || static_cast<uint64_t>(value.offset) > storage.numel ||
        elements > storage.numel - static_cast<uint64_t>(value.offset))
      return Status::error(where + ": elements [" + std::to_string(value.offset) + ", " +
                           std::to_string(value.offset + elements) +
                           ") lie outside its storage of " + std::to_string(storage.numel));
    TensorView t;
    t.name = key.s;
    t.dtype = storage.dtype;
    t.shape = value.size;
    t.data = reinterpret_cast<const uint8_t *>(entry->second->data.data()) + value.offset * esize;
    t.nbytes = elements * esize;
    t.file = name;
    file.tensors_.push_back(std::move(t));
  }
  return file;
}
