//! SplitMix64: tiny, fast and fully determined by its seed, which is all demo data needs.

pub(crate) struct DemoRng(u64);

impl DemoRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A standard normal sample (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// An id whose leading digits are the time, so ids made in time order sort in time order
    /// and land at the end of their index instead of all over it.
    pub(crate) fn time_ordered_id(&mut self, prefix: &str, at_ms: i64) -> String {
        crate::kernel::ids::time_ordered_id(prefix, at_ms, self.next_u64())
    }

    pub(crate) fn id(&mut self, prefix: &str) -> String {
        crate::kernel::ids::id_from_bits(
            prefix,
            (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64()),
        )
    }
}
