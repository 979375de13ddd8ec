//! One interrupt's state, the same in both GIC versions: enable, the
//! pending latch and the input level (an interrupt is pending when latched,
//! or while its line is high if it is level-sensitive), active, group,
//! trigger and priority.

/// One interrupt's state.
#[derive(Clone, Copy, Default)]
pub(super) struct Irq {
    pub(super) enabled: bool,
    /// Set by an edge, an SGI or a set-pending write, cleared by
    /// acknowledge or a clear-pending write.
    pub(super) latched: bool,
    /// Current input level.
    pub(super) level: bool,
    pub(super) active: bool,
    pub(super) group1: bool,
    pub(super) edge: bool,
    pub(super) priority: u8,
}

impl Irq {
    /// Pending: latched, or a level-sensitive interrupt whose line is high.
    pub(super) fn pending(&self) -> bool {
        self.latched || (self.level && !self.edge)
    }

    /// An input line changed: edges latch pending on an edge-triggered
    /// interrupt; a level-sensitive one just follows the line.
    pub(super) fn set_input(&mut self, level: bool) {
        if self.edge && level && !self.level {
            self.latched = true;
        }
        self.level = level;
    }
}
