package dev.orion.scheduler.health;

/**
 * The fleet's health as one health round sees it, for the mass-failure guard. Nodes already dead
 * are left out of both numbers: the guard is about failures happening at once, not about nodes
 * that died one by one long ago.
 *
 * @param watched nodes neither suspended nor dead
 * @param failing of those, how many are failing now (their latest probe, this round's included)
 */
public record FleetView(int watched, int failing) {}
