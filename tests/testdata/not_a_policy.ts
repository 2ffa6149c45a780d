// A module whose default export builds something that is not a policy (for tests).
export default (): unknown => ({ name: "broken" });
