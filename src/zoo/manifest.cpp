// The onnx.hub manifest (ONNX_HUB_MANIFEST.json): reading with per-entry, per-key errors, writing
// in the generator's format (Python json.dumps(indent=4): 4-space indent, "," and ": "
// separators, non-ASCII as \uXXXX, no trailing newline) by patching each entry's source object,
// and streaming SHA-256 of model files.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "zoo/zoo.h"

namespace zooci {
namespace {

using Json = nlohmann::ordered_json;  // keeps key order, so extra_ports round-trips verbatim

constexpr uint64_t kMaxManifestBytes = uint64_t{256} << 20;
constexpr int kMaxJsonDepth = 64;
constexpr size_t kHashBufferBytes = size_t{1} << 20;

Error KeyError(const std::string& key, const std::string& problem) {
  return Error("\"" + key + "\": " + problem);
}

Error WrongType(const std::string& key, const std::string& expected, const Json& value) {
  return KeyError(key, "expected " + expected + ", got " + value.type_name());
}

// Looks up `key` in `object`; nullptr when absent. `required` turns absence into an error.
Result<const Json*> Find(const Json& object, const std::string& key, const std::string& name,
                         bool required) {
  auto found = object.find(key);
  if (found == object.end()) {
    if (required) return KeyError(name, "missing");
    return static_cast<const Json*>(nullptr);
  }
  return &*found;
}

Status ReadString(const Json& object, const std::string& key, const std::string& name,
                  bool required, std::string* out) {
  ZC_ASSIGN_OR_RETURN(const Json* value, Find(object, key, name, required));
  if (value == nullptr) return OkStatus();
  if (!value->is_string()) return WrongType(name, "a string", *value);
  *out = value->get<std::string>();
  return OkStatus();
}

Status ReadInt(const Json& object, const std::string& key, const std::string& name, bool required,
               int64_t* out) {
  ZC_ASSIGN_OR_RETURN(const Json* value, Find(object, key, name, required));
  if (value == nullptr) return OkStatus();
  if (!value->is_number_integer()) return WrongType(name, "an integer", *value);
  if (value->is_number_unsigned() && value->get<uint64_t>() > uint64_t{INT64_MAX}) {
    return KeyError(name, "integer out of range");
  }
  *out = value->get<int64_t>();
  return OkStatus();
}

Status ReadSize(const Json& object, const std::string& key, const std::string& name,
                uint64_t* out) {
  ZC_ASSIGN_OR_RETURN(const Json* value, Find(object, key, name, false));
  if (value == nullptr) return OkStatus();
  if (value->is_number_unsigned()) {
    *out = value->get<uint64_t>();
  } else if (value->is_number_integer() && value->get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value->get<int64_t>());
  } else {
    return WrongType(name, "a non-negative integer", *value);
  }
  return OkStatus();
}

Status ReadPorts(const Json& io_ports, const std::string& key, const std::string& name,
                 std::vector<IoPort>* out) {
  ZC_ASSIGN_OR_RETURN(const Json* ports, Find(io_ports, key, name, false));
  if (ports == nullptr || ports->is_null()) return OkStatus();
  if (!ports->is_array()) return WrongType(name, "an array", *ports);
  for (size_t index = 0; index < ports->size(); ++index) {
    const Json& port = (*ports)[index];
    std::string port_name = name + "[" + std::to_string(index) + "]";
    if (!port.is_object()) return WrongType(port_name, "an object", port);
    IoPort result;
    ZC_RETURN_IF_ERROR(ReadString(port, "name", port_name + ".name", true, &result.name));
    ZC_RETURN_IF_ERROR(ReadString(port, "type", port_name + ".type", false, &result.type));
    ZC_ASSIGN_OR_RETURN(const Json* shape, Find(port, "shape", port_name + ".shape", false));
    if (shape != nullptr && !shape->is_null()) {  // an unknown rank reads as an empty shape
      if (!shape->is_array()) return WrongType(port_name + ".shape", "an array", *shape);
      for (size_t dim = 0; dim < shape->size(); ++dim) {
        const Json& value = (*shape)[dim];
        if (!value.is_number_integer() && !value.is_string() && !value.is_null()) {
          return WrongType(port_name + ".shape[" + std::to_string(dim) + "]",
                           "an integer, a string or null", value);
        }
        result.shape.push_back(value.dump());
      }
    }
    out->push_back(std::move(result));
  }
  return OkStatus();
}

Status ReadEntry(const Json& item, ManifestEntry* entry) {
  if (!item.is_object()) return Error(std::string("expected an object, got ") + item.type_name());
  ZC_RETURN_IF_ERROR(ReadString(item, "model", "model", true, &entry->model));
  ZC_RETURN_IF_ERROR(ReadString(item, "model_path", "model_path", true, &entry->model_path));
  ZC_RETURN_IF_ERROR(ReadString(item, "onnx_version", "onnx_version", false, &entry->onnx_version));
  ZC_RETURN_IF_ERROR(ReadInt(item, "opset_version", "opset_version", true, &entry->opset_version));
  ZC_ASSIGN_OR_RETURN(const Json* metadata, Find(item, "metadata", "metadata", true));
  if (!metadata->is_object()) return WrongType("metadata", "an object", *metadata);
  const Json& meta = *metadata;
  ZC_RETURN_IF_ERROR(ReadString(meta, "model_sha", "metadata.model_sha", false, &entry->model_sha));
  ZC_RETURN_IF_ERROR(ReadSize(meta, "model_bytes", "metadata.model_bytes", &entry->model_bytes));
  ZC_ASSIGN_OR_RETURN(const Json* tags, Find(meta, "tags", "metadata.tags", false));
  if (tags != nullptr) {
    if (!tags->is_array()) return WrongType("metadata.tags", "an array", *tags);
    for (size_t index = 0; index < tags->size(); ++index) {
      const Json& tag = (*tags)[index];
      if (!tag.is_string()) {
        return WrongType("metadata.tags[" + std::to_string(index) + "]", "a string", tag);
      }
      entry->tags.push_back(tag.get<std::string>());
    }
  }
  ZC_ASSIGN_OR_RETURN(const Json* io_ports, Find(meta, "io_ports", "metadata.io_ports", false));
  if (io_ports != nullptr) {
    if (!io_ports->is_object()) return WrongType("metadata.io_ports", "an object", *io_ports);
    entry->has_io_ports = true;
    ZC_RETURN_IF_ERROR(ReadPorts(*io_ports, "inputs", "metadata.io_ports.inputs", &entry->inputs));
    ZC_RETURN_IF_ERROR(
        ReadPorts(*io_ports, "outputs", "metadata.io_ports.outputs", &entry->outputs));
  }
  if (auto extra = meta.find("extra_ports"); extra != meta.end()) {
    entry->extra_ports_json = extra->dump();
  }
  ZC_RETURN_IF_ERROR(ReadString(meta, "model_with_data_path", "metadata.model_with_data_path",
                                false, &entry->model_with_data_path));
  ZC_RETURN_IF_ERROR(ReadString(meta, "model_with_data_sha", "metadata.model_with_data_sha", false,
                                &entry->model_with_data_sha));
  return ReadSize(meta, "model_with_data_bytes", "metadata.model_with_data_bytes",
                  &entry->model_with_data_bytes);
}

// JSON text back to a value; text that is not JSON is written as a string.
Json ParseOrString(const std::string& text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Json(text);
  return value;
}

Json PortsJson(const std::vector<IoPort>& ports) {
  Json array = Json::array();
  for (const IoPort& port : ports) {
    Json shape = Json::array();
    for (const std::string& dim : port.shape) shape.push_back(ParseOrString(dim));
    Json item = Json::object();
    item["name"] = port.name;
    item["shape"] = std::move(shape);
    item["type"] = port.type;
    array.push_back(std::move(item));
  }
  return array;
}

// The generator's key orders; a key an entry lacks is inserted where the generator puts it.
const std::vector<std::string>& EntryKeyOrder() {
  static const std::vector<std::string> order = {"model", "model_path", "onnx_version",
                                                 "opset_version", "metadata"};
  return order;
}
const std::vector<std::string>& MetadataKeyOrder() {
  static const std::vector<std::string> order = {"model_sha",
                                                 "model_bytes",
                                                 "tags",
                                                 "io_ports",
                                                 "extra_ports",
                                                 "model_with_data_path",
                                                 "model_with_data_sha",
                                                 "model_with_data_bytes"};
  return order;
}

// object[key] = value, keeping the object's key order. A new key goes right after the last key
// of the object that precedes it in `order` (first when none does).
void SetOrdered(Json* object, const std::string& key, Json value,
                const std::vector<std::string>& order) {
  if (auto found = object->find(key); found != object->end()) {
    *found = std::move(value);
    return;
  }
  auto position = std::find(order.begin(), order.end(), key);
  auto precedes = [&](const std::string& other) {
    return std::find(order.begin(), position, other) != position;
  };
  size_t insert_at = 0;  // the number of the object's keys that stay before `key`
  size_t index = 0;
  for (const auto& item : object->items()) {
    ++index;
    if (precedes(item.key())) insert_at = index;
  }
  Json result = Json::object();
  index = 0;
  for (auto& item : object->items()) {
    if (index++ == insert_at) result[key] = Json();  // a placeholder holding the position
    result[item.key()] = std::move(item.value());
  }
  result[key] = std::move(value);  // fills the placeholder, or appends when there is none
  *object = std::move(result);
}

// The entry as JSON: its source object (ReadManifest) with only the fields whose value differs
// from what the source holds replaced, inserted or erased; an entry without a source is built
// in the generator's key order.
Json EntryJson(const ManifestEntry& entry) {
  Json item = Json::object();
  ManifestEntry source;  // what `item` holds
  bool fresh = true;     // `item` holds nothing yet: every field is written
  if (!entry.source_json.empty()) {
    Json parsed = Json::parse(entry.source_json, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && ReadEntry(parsed, &source).ok()) {
      item = std::move(parsed);
      fresh = false;
    } else {
      source = ManifestEntry{};
    }
  }
  const auto& top = EntryKeyOrder();
  if (fresh || entry.model != source.model) SetOrdered(&item, "model", entry.model, top);
  if (fresh || entry.model_path != source.model_path) {
    SetOrdered(&item, "model_path", entry.model_path, top);
  }
  if (fresh || entry.onnx_version != source.onnx_version) {
    SetOrdered(&item, "onnx_version", entry.onnx_version, top);
  }
  if (fresh || entry.opset_version != source.opset_version) {
    SetOrdered(&item, "opset_version", entry.opset_version, top);
  }
  if (fresh) SetOrdered(&item, "metadata", Json::object(), top);
  Json& metadata = item["metadata"];
  const auto& meta = MetadataKeyOrder();
  if (fresh || entry.model_sha != source.model_sha || entry.model_bytes != source.model_bytes) {
    if (!entry.model_sha.empty() || entry.model_bytes != 0) {
      SetOrdered(&metadata, "model_sha", entry.model_sha, meta);
      SetOrdered(&metadata, "model_bytes", entry.model_bytes, meta);
    } else {
      metadata.erase("model_sha");
      metadata.erase("model_bytes");
    }
  }
  if (fresh || entry.tags != source.tags) SetOrdered(&metadata, "tags", entry.tags, meta);
  if (fresh || entry.has_io_ports != source.has_io_ports ||
      !SameIoPorts(entry.inputs, source.inputs) || !SameIoPorts(entry.outputs, source.outputs)) {
    if (entry.has_io_ports) {
      Json io_ports = Json::object();
      io_ports["inputs"] = PortsJson(entry.inputs);
      io_ports["outputs"] = PortsJson(entry.outputs);
      SetOrdered(&metadata, "io_ports", std::move(io_ports), meta);
    } else {
      metadata.erase("io_ports");
    }
  }
  if (fresh || entry.extra_ports_json != source.extra_ports_json) {
    if (!entry.extra_ports_json.empty()) {
      SetOrdered(&metadata, "extra_ports", ParseOrString(entry.extra_ports_json), meta);
    } else {
      metadata.erase("extra_ports");
    }
  }
  if (fresh || entry.model_with_data_path != source.model_with_data_path ||
      entry.model_with_data_sha != source.model_with_data_sha ||
      entry.model_with_data_bytes != source.model_with_data_bytes) {
    if (!entry.model_with_data_path.empty()) {
      SetOrdered(&metadata, "model_with_data_path", entry.model_with_data_path, meta);
      SetOrdered(&metadata, "model_with_data_sha", entry.model_with_data_sha, meta);
      SetOrdered(&metadata, "model_with_data_bytes", entry.model_with_data_bytes, meta);
    } else {
      metadata.erase("model_with_data_path");
      metadata.erase("model_with_data_sha");
      metadata.erase("model_with_data_bytes");
    }
  }
  return item;
}


}  // namespace

Result<std::vector<ManifestEntry>> ReadManifest(const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxManifestBytes));
  Json root;
  bool too_deep = false;
  try {
    root = Json::parse(text, [&too_deep](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth) too_deep = true;
      return !too_deep;
    });
  } catch (const Json::exception& error) {
    return Error(path.string() + ": invalid JSON: " + error.what());
  }
  if (too_deep) {
    return Error(path.string() + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth));
  }
  if (!root.is_array()) {
    return Error(path.string() + ": expected an array of entries, got " + root.type_name());
  }
  std::vector<ManifestEntry> entries;
  entries.reserve(root.size());
  for (size_t index = 0; index < root.size(); ++index) {
    ManifestEntry entry;
    Status status = ReadEntry(root[index], &entry);
    entry.source_json = root[index].dump();
    if (!status.ok()) {
      std::string context = path.string() + ": entry " + std::to_string(index);
      if (!entry.model_path.empty()) context += " (" + entry.model_path + ")";
      return status.error().WithContext(context);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string WriteManifestJson(const std::vector<ManifestEntry>& entries) {
  std::vector<const ManifestEntry*> sorted;
  sorted.reserve(entries.size());
  for (const ManifestEntry& entry : entries) sorted.push_back(&entry);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->model_path < b->model_path; });
  Json root = Json::array();
  for (const ManifestEntry* entry : sorted) root.push_back(EntryJson(*entry));
  // Invalid UTF-8 (from hand-built entries) becomes U+FFFD instead of throwing.
  return root.dump(4, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace);
}

namespace {

}  // namespace

Result<std::string> Sha256File(const fs::path& path) {
  UniqueFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return Error("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(path.string() + ": not a regular file");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return Error("sha256 " + path.string() + ": cannot initialize OpenSSL digest");
  }
  std::vector<unsigned char> buffer(kHashBufferBytes);
  for (;;) {
    ssize_t got = read(file.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Error("read " + path.string() + ": " + std::strerror(errno));
    if (got == 0) break;
    if (EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(got)) != 1) {
      return Error("sha256 " + path.string() + ": digest update failed");
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    return Error("sha256 " + path.string() + ": digest finalization failed");
  }
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace zooci
