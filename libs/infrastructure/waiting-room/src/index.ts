export { WaitingRoomModule } from './waiting-room.module';
export { RoomKeys } from './room-keys';
export { RoomStore, type RoomConfig, type RoomCounts, type RoomSnapshot, type AdmitStep, type AdmitOptions } from './room-store';
export { RoomAdmitter, type AdmitterOptions, type AdmitterLogger } from './room-admitter';
export { parseRoomEvent, type RoomEvent } from './room-events';
export { etaSeconds, toFrame, toTicket, type RoomState, type RoomPace } from './room-state';
