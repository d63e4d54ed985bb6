// Recurrent layers: RNN, GRU, LSTM (1, 7, 14). Shared here: the inputs and attributes they have
// in common, the activation functions named by the `activations` attribute, and the loop over
// directions, time steps and batch entries; each operator supplies its cell.
//
// Inputs: X [seq, batch, input] (layout=1, opset 14: [batch, seq, input]); W [dirs, G*H, input];
// R [dirs, G*H, H]; B [dirs, 2*G*H] (W's biases, then R's); sequence_lens [batch]; initial_h
// [dirs, batch, H] (layout=1: [batch, dirs, H]); for LSTM also initial_c and peepholes P
// [dirs, 3*H]. G is the gate count (RNN 1, GRU 3, LSTM 4), H hidden_size. Outputs: Y
// [seq, dirs, batch, H] (layout=1: [batch, seq, dirs, H]), Y_h (and LSTM's Y_c) like initial_h.
// Past a batch entry's sequence length its Y is 0 and its state stops changing.
#include <algorithm>
#include <cmath>
#include <functional>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

using Activation = std::function<double(double)>;

// The activations named by the `activations` list. Those with parameters take them from
// activation_alpha / activation_beta, consumed in list order by the functions that use them
// (as ONNX Runtime reads them); absent ones take ONNX's defaults for that function.
class ActivationReader {
 public:
  ActivationReader(std::vector<double> alphas, std::vector<double> betas)
      : alphas_(std::move(alphas)), betas_(std::move(betas)) {}

  Result<Activation> Make(const std::string& name) {
    if (name == "Sigmoid") return Activation([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
    if (name == "Tanh") return Activation([](double x) { return std::tanh(x); });
    if (name == "Relu") return Activation([](double x) { return std::max(0.0, x); });
    if (name == "Softsign") return Activation([](double x) { return x / (1 + std::fabs(x)); });
    if (name == "Softplus") return Activation([](double x) { return std::log1p(std::exp(x)); });
    if (name == "Affine") {
      const double alpha = NextAlpha(1.0), beta = NextBeta(0.0);
      return Activation([alpha, beta](double x) { return alpha * x + beta; });
    }
    if (name == "LeakyRelu") {
      const double alpha = NextAlpha(0.01);
      return Activation([alpha](double x) { return x >= 0 ? x : alpha * x; });
    }
    if (name == "ThresholdedRelu") {
      const double alpha = NextAlpha(1.0);
      return Activation([alpha](double x) { return x > alpha ? x : 0.0; });
    }
    if (name == "ScaledTanh") {
      const double alpha = NextAlpha(1.0), beta = NextBeta(1.0);
      return Activation([alpha, beta](double x) { return alpha * std::tanh(beta * x); });
    }
    if (name == "HardSigmoid") {
      const double alpha = NextAlpha(0.2), beta = NextBeta(0.5);
      return Activation(
          [alpha, beta](double x) { return std::max(0.0, std::min(1.0, alpha * x + beta)); });
    }
    if (name == "Elu") {
      const double alpha = NextAlpha(1.0);
      return Activation([alpha](double x) { return x >= 0 ? x : alpha * (std::exp(x) - 1); });
    }
    return Error("activation '" + name + "' not supported");
  }

 private:
  double NextAlpha(double fallback) {
    return next_alpha_ < alphas_.size() ? alphas_[next_alpha_++] : fallback;
  }
  double NextBeta(double fallback) {
    return next_beta_ < betas_.size() ? betas_[next_beta_++] : fallback;
  }
  std::vector<double> alphas_, betas_;
  size_t next_alpha_ = 0, next_beta_ = 0;
};

// Everything a cell needs for one direction.
struct Direction {
  const double* w;             // [G*H, input]
  const double* r;             // [G*H, H]
  std::vector<double> wb, rb;  // [G*H] each (zeros without B)
  const double* p = nullptr;   // LSTM peepholes [3*H] (i, o, f), or null
  std::vector<Activation> activations;
};

struct Recurrence {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 1;
  bool layout_batch_first = false;
  double clip = 0.0;  // 0: none
  bool input_forget = false;
  bool linear_before_reset = false;
  std::vector<Direction> directions;
};

// gate[j] = sum_i x[i] * m[(g*H + j), i] + bias[g*H + j] for gate g; `m` has `cols` columns.
void GateProduct(const double* m, const double* x, int64_t cols, int64_t gate, int64_t hidden,
                 const std::vector<double>& bias, double* out) {
  for (int64_t j = 0; j < hidden; ++j) {
    const int64_t row = gate * hidden + j;
    double sum = bias[row];
    for (int64_t i = 0; i < cols; ++i) sum += m[row * cols + i] * x[i];
    out[j] = sum;
  }
}

// One time step for one batch entry: from x, h (and c) to the new h (and c), in place.
using Cell = void (*)(const Recurrence& rec, const Direction& dir, const double* x, double* h,
                      double* c);

double Clipped(const Recurrence& rec, double value) {
  return rec.clip > 0 ? std::max(-rec.clip, std::min(rec.clip, value)) : value;
}

// RNN: H = f(X W^T + H R^T + Wb + Rb).
void RnnCell(const Recurrence& rec, const Direction& dir, const double* x, double* h, double*) {
  const int64_t hid = rec.hidden;
  std::vector<double> from_x(hid), from_h(hid);
  GateProduct(dir.w, x, rec.input, 0, hid, dir.wb, from_x.data());
  GateProduct(dir.r, h, hid, 0, hid, dir.rb, from_h.data());
  for (int64_t j = 0; j < hid; ++j) h[j] = dir.activations[0](Clipped(rec, from_x[j] + from_h[j]));
}

// GRU (gates z, r, h): z = f(..), r = f(..), candidate = g(X Wh^T + (r . H) Rh^T + Rbh + Wbh)
// or with linear_before_reset g(X Wh^T + r . (H Rh^T + Rbh) + Wbh); H = (1 - z) . cand + z . H.
void GruCell(const Recurrence& rec, const Direction& dir, const double* x, double* h, double*) {
  const int64_t hid = rec.hidden;
  std::vector<double> x_gate(3 * hid), h_gate(3 * hid), z(hid), r(hid), reset_h(hid);
  for (int64_t g = 0; g < 3; ++g) {
    GateProduct(dir.w, x, rec.input, g, hid, dir.wb, &x_gate[g * hid]);
    GateProduct(dir.r, h, hid, g, hid, dir.rb, &h_gate[g * hid]);
  }
  for (int64_t j = 0; j < hid; ++j) {
    z[j] = dir.activations[0](Clipped(rec, x_gate[j] + h_gate[j]));
    r[j] = dir.activations[0](Clipped(rec, x_gate[hid + j] + h_gate[hid + j]));
    reset_h[j] = r[j] * h[j];
  }
  std::vector<double> h_term(hid);
  if (rec.linear_before_reset) {
    for (int64_t j = 0; j < hid; ++j) h_term[j] = r[j] * h_gate[2 * hid + j];
  } else {
    GateProduct(dir.r, reset_h.data(), hid, 2, hid, dir.rb, h_term.data());
  }
  for (int64_t j = 0; j < hid; ++j) {
    const double candidate = dir.activations[1](Clipped(rec, x_gate[2 * hid + j] + h_term[j]));
    h[j] = (1 - z[j]) * candidate + z[j] * h[j];
  }
}

// LSTM (gates i, o, f, c; peepholes i, o, f): i = f(.. + Pi . C), f = f(.. + Pf . C),
// cand = g(..), C = f . C + i . cand, o = f(.. + Po . C_new), H = o . h(C). With input_forget,
// f = 1 - i.
void LstmCell(const Recurrence& rec, const Direction& dir, const double* x, double* h, double* c) {
  const int64_t hid = rec.hidden;
  std::vector<double> gate(4 * hid), from_h(4 * hid);
  for (int64_t g = 0; g < 4; ++g) {
    GateProduct(dir.w, x, rec.input, g, hid, dir.wb, &gate[g * hid]);
    GateProduct(dir.r, h, hid, g, hid, dir.rb, &from_h[g * hid]);
  }
  for (int64_t j = 0; j < hid; ++j) {
    const double pi = dir.p ? dir.p[j] : 0.0, po = dir.p ? dir.p[hid + j] : 0.0,
                 pf = dir.p ? dir.p[2 * hid + j] : 0.0;
    const double i = dir.activations[0](Clipped(rec, gate[j] + from_h[j] + pi * c[j]));
    double f =
        dir.activations[0](Clipped(rec, gate[2 * hid + j] + from_h[2 * hid + j] + pf * c[j]));
    if (rec.input_forget) f = 1 - i;
    const double candidate =
        dir.activations[1](Clipped(rec, gate[3 * hid + j] + from_h[3 * hid + j]));
    c[j] = f * c[j] + i * candidate;
    const double o = dir.activations[0](Clipped(rec, gate[hid + j] + from_h[hid + j] + po * c[j]));
    h[j] = o * dir.activations[2](c[j]);
  }
}

Result<Recurrence> ReadRecurrence(const OpContext& ctx, int64_t gates,
                                  const std::vector<std::string>& default_activations) {
  Recurrence rec;
  const Array& x = ctx.input(0);
  const Array& w = ctx.input(1);
  const Array& r = ctx.input(2);
  rec.gates = gates;
  rec.layout_batch_first = ctx.Int("layout", 0) == 1;
  if (x.rank() != 3 || w.rank() != 3 || r.rank() != 3) return Error("X, W and R must be 3-D");
  rec.seq = rec.layout_batch_first ? x.shape[1] : x.shape[0];
  rec.batch = rec.layout_batch_first ? x.shape[0] : x.shape[1];
  rec.input = x.shape[2];
  rec.hidden = ctx.Int("hidden_size", r.shape[2]);
  const std::string direction = ctx.String("direction", "forward");
  rec.dirs = direction == "bidirectional" ? 2 : 1;
  if (w.shape[0] != rec.dirs || w.shape[1] != gates * rec.hidden || w.shape[2] != rec.input)
    return Error("W " + Describe(w) + " does not match X " + Describe(x) + " and hidden_size " +
                 std::to_string(rec.hidden));
  if (r.shape[0] != rec.dirs || r.shape[1] != gates * rec.hidden || r.shape[2] != rec.hidden)
    return Error("R " + Describe(r) + " does not match hidden_size " + std::to_string(rec.hidden));
  if (ctx.has_input(3) && ctx.input(3).size() != rec.dirs * 2 * gates * rec.hidden)
    return Error("B " + Describe(ctx.input(3)) + " is not [directions, 2 * gates * hidden]");
  if (gates == 4 && ctx.has_input(7) && ctx.input(7).size() != rec.dirs * 3 * rec.hidden)
    return Error("P " + Describe(ctx.input(7)) + " is not [directions, 3 * hidden]");
  rec.clip = ctx.Float("clip", 0.0);
  rec.input_forget = ctx.Int("input_forget", 0) != 0;
  rec.linear_before_reset = ctx.Int("linear_before_reset", 0) != 0;
  std::vector<std::string> names = ctx.Strings("activations");
  ActivationReader reader(ctx.Floats("activation_alpha"), ctx.Floats("activation_beta"));
  if (names.empty())
    for (int64_t d = 0; d < rec.dirs; ++d)
      names.insert(names.end(), default_activations.begin(), default_activations.end());
  if (names.size() != default_activations.size() * static_cast<size_t>(rec.dirs))
    return Error("activations lists " + std::to_string(names.size()) + " functions");
  const int64_t gh = gates * rec.hidden;
  for (int64_t d = 0; d < rec.dirs; ++d) {
    Direction dir;
    dir.w = &w.values[d * gh * rec.input];
    dir.r = &r.values[d * gh * rec.hidden];
    dir.wb.assign(gh, 0.0);
    dir.rb.assign(gh, 0.0);
    if (ctx.has_input(3)) {
      const Array& b = ctx.input(3);
      for (int64_t k = 0; k < gh; ++k) {
        dir.wb[k] = b.values[d * 2 * gh + k];
        dir.rb[k] = b.values[d * 2 * gh + gh + k];
      }
    }
    if (gates == 4 && ctx.has_input(7)) dir.p = &ctx.input(7).values[d * 3 * rec.hidden];
    for (size_t k = 0; k < default_activations.size(); ++k) {
      ZC_ASSIGN_OR_RETURN(Activation fn, reader.Make(names[d * default_activations.size() + k]));
      dir.activations.push_back(std::move(fn));
    }
    rec.directions.push_back(std::move(dir));
  }
  return rec;
}

// Runs every direction over the sequence; returns Y, Y_h and (for LSTM) Y_c.
Result<Outputs> RunRecurrence(const OpContext& ctx, const Recurrence& rec, Cell cell) {
  const Array& x = ctx.input(0);
  const int64_t hid = rec.hidden;
  std::vector<int64_t> lengths(rec.batch, rec.seq);
  if (ctx.has_input(4)) lengths = ToInts(ctx.input(4));
  if (static_cast<int64_t>(lengths.size()) != rec.batch ||
      std::any_of(lengths.begin(), lengths.end(), [&](int64_t n) { return n < 0 || n > rec.seq; }))
    return Error("sequence_lens " + Describe(ctx.input(4)) + " does not fit the batch");
  const int64_t state_size = rec.dirs * rec.batch * hid;
  for (size_t input_idx : {size_t{5}, size_t{6}}) {
    if (ctx.has_input(input_idx) && ctx.input(input_idx).size() != state_size)
      return Error("initial state " + Describe(ctx.input(input_idx)) + " does not match " +
                   std::to_string(rec.dirs) + " directions, batch " + std::to_string(rec.batch) +
                   " and hidden_size " + std::to_string(hid));
  }
  // State index of (direction, batch entry) in initial_h / Y_h for the layout.
  auto state_at = [&](int64_t d, int64_t b) {
    return (rec.layout_batch_first ? b * rec.dirs + d : d * rec.batch + b) * hid;
  };
  const Shape state_shape =
      rec.layout_batch_first ? Shape{rec.batch, rec.dirs, hid} : Shape{rec.dirs, rec.batch, hid};
  Array y = MakeArray(x.type, rec.layout_batch_first ? Shape{rec.batch, rec.seq, rec.dirs, hid}
                                                     : Shape{rec.seq, rec.dirs, rec.batch, hid});
  Array y_h = MakeArray(x.type, state_shape);
  Array y_c = MakeArray(x.type, state_shape);
  if (ctx.has_input(5)) y_h.values = ctx.input(5).values;
  if (rec.gates == 4 && ctx.has_input(6)) y_c.values = ctx.input(6).values;
  for (int64_t d = 0; d < rec.dirs; ++d) {
    const bool reverse = ctx.String("direction", "forward") == "reverse" || d == 1;
    for (int64_t b = 0; b < rec.batch; ++b) {
      double* h = &y_h.values[state_at(d, b)];
      double* c = &y_c.values[state_at(d, b)];
      for (int64_t step = 0; step < lengths[b]; ++step) {
        const int64_t t = reverse ? lengths[b] - 1 - step : step;
        const int64_t x_row = rec.layout_batch_first ? b * rec.seq + t : t * rec.batch + b;
        cell(rec, rec.directions[d], &x.values[x_row * rec.input], h, c);
        const int64_t y_row = rec.layout_batch_first ? (b * rec.seq + t) * rec.dirs + d
                                                     : (t * rec.dirs + d) * rec.batch + b;
        std::copy(h, h + hid, &y.values[y_row * hid]);
      }
    }
  }
  if (rec.gates == 4) return Outputs{std::move(y), std::move(y_h), std::move(y_c)};
  return Outputs{std::move(y), std::move(y_h)};
}

// RNN-1, 7, 14 (layout); default activation Tanh.
Result<Outputs> Rnn(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Recurrence rec, ReadRecurrence(ctx, 1, {"Tanh"}));
  return RunRecurrence(ctx, rec, RnnCell);
}

// GRU-1, 3, 7, 14 (layout); default activations Sigmoid, Tanh.
Result<Outputs> Gru(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Recurrence rec, ReadRecurrence(ctx, 3, {"Sigmoid", "Tanh"}));
  return RunRecurrence(ctx, rec, GruCell);
}

// LSTM-1, 7, 14 (layout); default activations Sigmoid, Tanh, Tanh.
Result<Outputs> Lstm(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Recurrence rec, ReadRecurrence(ctx, 4, {"Sigmoid", "Tanh", "Tanh"}));
  return RunRecurrence(ctx, rec, LstmCell);
}

}  // namespace

void RegisterRecurrentOps(OpTable& table) {
  table.Add("RNN", {1, 7, 14}, Rnn, 3);
  table.Add("GRU", {1, 3, 7, 14}, Gru, 3);
  table.Add("LSTM", {1, 7, 14}, Lstm, 3);
}

}  // namespace zooci::reference
