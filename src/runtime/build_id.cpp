// The identity of the executables that compute a result: what a result cache keys on besides
// the version number, which does not change between builds.
#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include "runtime/runtime.h"

namespace zooci {
namespace {

// The GNU build-id note of a 64-bit ELF file, in hex; "" when it has none or is not one.
std::string GnuBuildId(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof(header))) return {};
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_phentsize != sizeof(Elf64_Phdr)) {
    return {};
  }
  for (Elf64_Half index = 0; index < header.e_phnum; ++index) {
    Elf64_Phdr segment{};
    in.seekg(static_cast<std::streamoff>(header.e_phoff + uint64_t{index} * sizeof(segment)));
    if (!in.read(reinterpret_cast<char*>(&segment), sizeof(segment))) return {};
    if (segment.p_type != PT_NOTE || segment.p_filesz > (uint64_t{1} << 20)) continue;
    std::string notes(segment.p_filesz, '\0');
    in.seekg(static_cast<std::streamoff>(segment.p_offset));
    if (!in.read(notes.data(), static_cast<std::streamsize>(notes.size()))) return {};
    auto align4 = [](uint64_t size) { return (size + 3) & ~uint64_t{3}; };
    for (uint64_t at = 0; at + sizeof(Elf64_Nhdr) <= notes.size();) {
      Elf64_Nhdr note{};
      std::memcpy(&note, notes.data() + at, sizeof(note));
      uint64_t name_at = at + sizeof(note);
      uint64_t desc_at = name_at + align4(note.n_namesz);
      uint64_t next = desc_at + align4(note.n_descsz);
      if (next > notes.size()) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
        static const char kHex[] = "0123456789abcdef";
        std::string hex;
        for (uint64_t byte = 0; byte < note.n_descsz; ++byte) {
          auto value = static_cast<unsigned char>(notes[desc_at + byte]);
          hex += kHex[value >> 4];
          hex += kHex[value & 15];
        }
        return hex;
      }
      at = next;
    }
  }
  return {};
}

// The build-id, else what identifies this file's content cheaply (size and modification time).
std::string FileIdentity(const fs::path& file) {
  std::string id = GnuBuildId(file);
  if (!id.empty()) return id;
  struct stat info {};
  if (stat(file.c_str(), &info) != 0) return "unknown";
  return "size=" + std::to_string(info.st_size) + ",mtime=" +
         std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
}

}  // namespace

std::string BuildIdentity(const fs::path& worker) {
  return "zooci=" + FileIdentity("/proc/self/exe") + ",worker=" + FileIdentity(worker);
}

}  // namespace zooci
