// Helpers shared by the reduction kernels (reduce-*.wgsl). The TS template in
// src/backends/webgpu/kernels/reduce.ts prepends the constants (WG, HEADER_WORDS, the record's
// field offsets, the scratch layout) and appends one kernel.
//
// WGSL lets an implementation assume that no NaN or infinity occurs, so a float comparison can not
// be trusted to classify them. Everything that must be exact about non-finite values (counting
// them, leaving them out of min/max and the histogram, the saturation test) works on bit patterns.

/** Whether an f32 bit pattern is finite: its exponent bits are not all ones. */
fn is_finite_bits(bits: u32) -> bool {
  return (bits & 0x7f800000u) != 0x7f800000u;
}

/**
 * A u32 that orders like the f32 it encodes, for finite values (IEEE 754 total order, with −0
 * folded onto +0 so that the minimum or maximum of zeros is +0 whatever the order of visits).
 * Finite values never map to 0 or 0xffffffff, which serve as the identities of max and min.
 */
fn order_key(bits: u32) -> u32 {
  let folded = select(bits, 0u, bits == 0x80000000u);
  if ((folded & 0x80000000u) != 0u) {
    return ~folded;
  }
  return folded | 0x80000000u;
}

/** The f32 bit pattern of an order key. */
fn key_bits(key: u32) -> u32 {
  if ((key & 0x80000000u) != 0u) {
    return key & 0x7fffffffu;
  }
  return ~key;
}

/** The linear index of a workgroup in a dispatch that may be split over x and y. */
fn linear_group(group: vec3<u32>, groups: vec3<u32>) -> u32 {
  return group.x + group.y * groups.x;
}
