// OpenCV's image codecs, loaded when the first image is decoded.
//
// libopencv_imgcodecs (Debian's 4.6) depends on GDAL, GDCM, poppler, HDF5, OpenEXR, libheif and
// more: 139 shared libraries. Linked into zooci-worker, their loading, relocation and static
// constructors cost every worker start about 150 ms of CPU, paid by each worker of `zooci test`
// and `zooci bench`, which never decode an image. So the worker links only OpenCV core and
// imgproc, and this file opens the codec library with dlopen on the first decode (in the eval
// job), resolving the one function eval uses, cv::imdecode.
#include <dlfcn.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#pragma GCC diagnostic pop

#include "eval/preprocess_internal.h"

namespace zooci::preprocess_internal {
namespace {

// cv::Mat cv::imdecode(cv::InputArray buf, int flags), as OpenCV 4's library exports it.
using ImdecodeFunction = cv::Mat (*)(const cv::_InputArray&, int);
constexpr const char* kImdecodeSymbol = "_ZN2cv8imdecodeERKNS_11_InputArrayEi";

struct Codecs {
  ImdecodeFunction imdecode = nullptr;
  std::string error;  // why imdecode is null
};

Codecs LoadCodecs() {
  Codecs codecs;
  // Never closed: decoded images may use the library's allocators until the worker exits.
  void* library = dlopen(ZOOCI_OPENCV_IMGCODECS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    codecs.error = std::string("cannot load OpenCV's image codecs: ") + dlerror();
    return codecs;
  }
  void* symbol = dlsym(library, kImdecodeSymbol);
  if (symbol == nullptr) {
    codecs.error = std::string("OpenCV's image codecs lack cv::imdecode: ") + dlerror();
    return codecs;
  }
  codecs.imdecode = reinterpret_cast<ImdecodeFunction>(symbol);
  return codecs;
}

}  // namespace

Result<cv::Mat> ImageDecode(const cv::Mat& buffer, int flags) {
  static const Codecs codecs = LoadCodecs();  // thread-safe initialization, once per process
  if (codecs.imdecode == nullptr) return Error(codecs.error);
  return codecs.imdecode(buffer, flags);
}

}  // namespace zooci::preprocess_internal
