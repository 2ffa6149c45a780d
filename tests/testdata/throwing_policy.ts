// A module whose factory rejects its configuration (for tests).
export default (): never => {
  throw new RangeError("Cannot create policy 'throwing': 'x' must be positive, got 0");
};
