/** Errors the registry raises; adapters map them to 404/409/400. */
export class UnknownDeviceError extends Error {
  override readonly name = 'UnknownDeviceError';
  constructor(readonly deviceId: string) {
    super(`unknown device ${deviceId}`);
  }
}

export class DeviceAlreadyExistsError extends Error {
  override readonly name = 'DeviceAlreadyExistsError';
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} already exists`);
  }
}

export class InvalidDeviceRequestError extends Error {
  override readonly name = 'InvalidDeviceRequestError';
}
